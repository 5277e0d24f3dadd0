"""Check that every message catalogue is complete, consistent and up to date with the source.

Run from the repository root (as `make test` does):

    .venv/bin/python scripts/check_translations.py

For each portal/translations/<lang>/LC_MESSAGES/messages.po it reports, one line each:
  - a message that is untranslated (for plural messages, any empty msgstr[i]) or fuzzy;
  - a translation whose %(name)s-style placeholders differ from its msgid's, or that has a
    stray % in a python-format message (a literal % must be written %%);
  - a message that a fresh `pybabel extract` of the source finds but the catalogue lacks
    (run `make translations`, then translate the new entries).

Exits 0 with a one-line summary when there is nothing to report, 1 otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
PYBABEL = Path(sys.executable).parent / "pybabel"

# One %-directive: either a literal %% or a named placeholder such as %(name)s or %(max)d.
_DIRECTIVE = re.compile(r"%(?:%|\((?P<name>[^)]*)\)(?P<spec>[#0 +-]*(?:\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa]))")


def placeholders(text: str) -> set[str]:
    """The named %-placeholders in a string, each with its conversion, e.g. {"%(num)d"}."""
    return {m.group(0) for m in _DIRECTIVE.finditer(text) if m.group("name") is not None}


def has_stray_percent(text: str) -> bool:
    """Whether a python-format string has a % that is neither %% nor a named placeholder."""
    return "%" in _DIRECTIVE.sub("", text)


def _describe(message: Message) -> str:
    msgid = message.id[0] if message.pluralizable else message.id
    if len(msgid) > 60:
        msgid = msgid[:57] + "..."
    return repr(msgid)


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id[0] if message.pluralizable else message.id
    return msgid, message.context


def load(path: Path, problems: list[str]) -> Catalog | None:
    """Read a catalogue, adding a problem line if it cannot be parsed."""
    lang = path.parent.parent.name
    try:
        locale = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        locale = None
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=locale, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        problems.append(f"{_rel(path)}: cannot be read: {exc}")
        return None


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def check_catalogue(path: Path, catalog: Catalog, problems: list[str]) -> int:
    """Add a line to problems for each untranslated, fuzzy or mis-formatted message; return the count."""
    where = _rel(path)
    if catalog.fuzzy:
        problems.append(f"{where}: the header is marked fuzzy, so compiling skips the whole catalogue")
    count = 0
    for message in catalog:
        if not message.id:  # the header
            continue
        count += 1
        at = f"{where}:{message.lineno}"
        name = _describe(message)
        if message.fuzzy:
            problems.append(f"{at}: fuzzy: {name}")
        if message.pluralizable:
            strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
            if len(strings) < catalog.num_plurals:
                strings += [""] * (catalog.num_plurals - len(strings))
            empty = [i for i, s in enumerate(strings) if not s]
            if empty:
                forms = ", ".join(f"msgstr[{i}]" for i in empty)
                problems.append(f"{at}: untranslated ({forms} empty): {name}")
            allowed = [placeholders(message.id[0]), placeholders(message.id[1])]
            for i, text in enumerate(strings):
                if text and placeholders(text) not in allowed:
                    problems.append(
                        f"{at}: msgstr[{i}] placeholders {_fmt(placeholders(text))} "
                        f"differ from msgid_plural {_fmt(allowed[1])}: {name}"
                    )
            texts = [s for s in strings if s]
        else:
            if not message.string:
                problems.append(f"{at}: untranslated: {name}")
            elif placeholders(message.string) != placeholders(message.id):
                problems.append(
                    f"{at}: msgstr placeholders {_fmt(placeholders(message.string))} "
                    f"differ from msgid {_fmt(placeholders(message.id))}: {name}"
                )
            texts = [message.string] if message.string else []
        if "python-format" in message.flags:
            for text in texts:
                if has_stray_percent(text):
                    problems.append(f"{at}: msgstr has a % that is not %% or %(name)s: {name}")
                    break
    return count


def _fmt(names: set[str]) -> str:
    return "{" + ", ".join(sorted(names)) + "}" if names else "{}"


def extract_source(problems: list[str]) -> Catalog | None:
    """Extract the messages from the source afresh, as `make translations` does."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "messages.pot"
        cmd = [
            str(PYBABEL),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--omit-header",
            "-o",
            str(out),
            ".",
        ]
        try:
            result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
        except OSError as exc:
            problems.append(f"cannot run {_rel(PYBABEL)}: {exc}")
            return None
        if result.returncode != 0 or not out.exists():
            detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"pybabel extract failed (exit {result.returncode}): {detail}")
            return None
        with out.open("rb") as fh:
            return read_po(fh)


def check_up_to_date(path: Path, catalog: Catalog, source: Catalog, problems: list[str]) -> None:
    """Add a line for each message in the source that the catalogue lacks."""
    where = _rel(path)
    have = {_key(m): m for m in catalog if m.id}
    for message in source:
        if not message.id:
            continue
        found = have.get(_key(message))
        name = _describe(message)
        if found is None:
            problems.append(f"{where}: missing a message in the source (run `make translations`): {name}")
        elif message.pluralizable != found.pluralizable or (message.pluralizable and message.id[1] != found.id[1]):
            problems.append(f"{where}: plural form differs from the source (run `make translations`): {name}")


def main() -> int:
    problems: list[str] = []
    paths = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    if not paths:
        print(f"translations: no catalogues found under {_rel(TRANSLATIONS)}", file=sys.stderr)
        return 1

    source = extract_source(problems)
    counts: dict[str, int] = {}
    for path in paths:
        catalog = load(path, problems)
        if catalog is None:
            continue
        counts[path.parent.parent.name] = check_catalogue(path, catalog, problems)
        if source is not None:
            check_up_to_date(path, catalog, source, problems)

    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"translations: {len(problems)} problem(s) in {len(paths)} catalogue(s)", file=sys.stderr)
        return 1

    sizes = set(counts.values())
    if len(sizes) == 1:
        each = f"{sizes.pop()} messages each"
    else:
        each = ", ".join(f"{lang} {n} messages" for lang, n in sorted(counts.items()))
    print(f"translations: {len(counts)} catalogues ({', '.join(sorted(counts))}), {each}, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
