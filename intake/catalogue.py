"""The Spanish catalogue of everything a family reads, and how it is kept complete.

Family-facing sources are FAMILY_SOURCES below: the intake app (forms, choices, messages, upload
refusals, email subjects), the family's templates and emails, the shared layout and the error pages.
Staff pages (assessments, accounts, the admin, trials) are English only and are never extracted.

`python manage.py family_messages` (or `make messages`) brings locale/es/LC_MESSAGES/django.po up to
date with these sources: new strings come in untranslated, changed ones are marked fuzzy, and the
translations already there are kept. tests/intake/test_translations.py fails while any string has no
Spanish translation.
"""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

# Paths from the project root: folders are taken whole.
FAMILY_SOURCES = [
    "intake",
    "templates/base.html",
    "templates/404.html",
    "templates/500.html",
    "templates/503.html",
    "templates/intake",
    "templates/emails",
]
# Staff-only emails that happen to sit beside the family's: English, like every staff page.
STAFF_ONLY = ["templates/emails/staff_family_update.html", "templates/emails/staff_family_update.txt"]
EXTENSIONS = ["html", "txt", "py"]


def committed_catalogue(language: str = "es") -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def _copy_sources(into: Path) -> None:
    root = Path(settings.BASE_DIR)
    for source in FAMILY_SOURCES:
        path = root / source
        if path.is_dir():
            shutil.copytree(path, into / source, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        else:
            (into / source).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, into / source)
    for staff_only in STAFF_ONLY:
        (into / staff_only).unlink(missing_ok=True)


def extract(language: str = "es", *, merge_with: Path | None = None) -> str:
    """The catalogue makemessages writes for the family-facing sources, as text. With merge_with, the
    translations of that catalogue are carried over (as makemessages does for its own catalogues)."""
    with tempfile.TemporaryDirectory() as tmp:
        tree, out = Path(tmp) / "tree", Path(tmp) / "locale"
        _copy_sources(tree)
        target = out / language / "LC_MESSAGES" / "django.po"
        if merge_with and merge_with.exists():
            target.parent.mkdir(parents=True)
            shutil.copy2(merge_with, target)
        cwd = os.getcwd()
        try:
            # makemessages walks the current folder and writes to the first of LOCALE_PATHS.
            os.chdir(tree)
            with override_settings(LOCALE_PATHS=[out]):
                call_command(
                    "makemessages",
                    locale=[language],
                    extensions=EXTENSIONS,
                    no_obsolete=True,
                    no_wrap=True,
                    add_location="file",
                    verbosity=0,
                )
        finally:
            os.chdir(cwd)
        # The creation date would change the file on every run, with nothing else changed.
        return re.sub(r'^"POT-Creation-Date: .*"\n', "", target.read_text(), flags=re.MULTILINE)


# Reading .po files --------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)

    def __str__(self) -> str:
        return f"{self.msgid!r}" + (f" (context {self.msgctxt!r})" if self.msgctxt else "")


def _unquote(text: str) -> str:
    body = text.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"Not a quoted .po string: {text!r}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body[1:-1])


def parse_po(text: str) -> dict[tuple[str | None, str], Entry]:
    """The entries of a .po file by (context, msgid), the header left out."""
    entries: dict[tuple[str | None, str], Entry] = {}
    entry, last = Entry(), None

    def finish():
        nonlocal entry, last
        if entry.msgid and not entry.obsolete:
            entries[entry.key] = entry
        entry, last = Entry(), None

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line[2:].replace(",", " ").split()
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = last, line
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr") or keyword.startswith("msgstr["):
            if keyword == "msgctxt" and (entry.msgid or entry.msgstr):
                finish()
            last = keyword
            if keyword.startswith("msgstr"):
                entry.msgstr.append("")
        else:
            raise ValueError(f"Cannot read this .po line: {raw!r}")
        value = _unquote(rest)
        if keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif keyword == "msgid":
            entry.msgid += value
        elif keyword == "msgid_plural":
            entry.msgid_plural += value
        else:
            entry.msgstr[-1] += value
    return entries


def untranslated(sources: str, catalogue: str) -> list[Entry]:
    """The strings of `sources` (a fresh extraction) that `catalogue` does not translate, or only
    fuzzily, or for an older singular without its plural."""
    translations = parse_po(catalogue)
    missing = []
    for key, wanted in parse_po(sources).items():
        found = translations.get(key)
        if found is None or not found.translated or (wanted.msgid_plural and len(found.msgstr) < 2):
            missing.append(wanted)
    return missing
