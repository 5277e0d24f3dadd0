"""The languages the portal speaks, each named in its own script."""

NATIVE_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
}


def language_choices(codes) -> list[tuple[str, str]]:
    """Return (code, name in its own script) for each configured language."""
    return [(code, NATIVE_NAMES.get(code, code)) for code in codes]
