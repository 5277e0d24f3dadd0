"""The languages the portal speaks, each named in its own script."""

NATIVE_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ro": "Română",
    "pa": "ਪੰਜਾਬੀ",
    "ur": "اردو",
    "pt": "Português",
    "es": "Español",
    "ar": "العربية",
    "bn": "বাংলা",
    "gu": "ગુજરાતી",
    "uk": "Українська",
}

# Languages written right to left: pages in them carry dir="rtl" and the mirrored layout.
RIGHT_TO_LEFT = frozenset({"ur", "ar"})

# Everything under this path is the back office, which is in English only.
STAFF_PATH = "/staff"


def resident_facing(path: str) -> bool:
    """Whether a page at this path is for residents, and so in their language, rather than for staff."""
    return not (path == STAFF_PATH or path.startswith(STAFF_PATH + "/"))


def language_choices(codes) -> list[tuple[str, str]]:
    """Return (code, name in its own script) for each configured language."""
    return [(code, NATIVE_NAMES.get(code, code)) for code in codes]
