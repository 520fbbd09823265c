"""Refresh the message catalogues after UI strings change.

1. runs `makemessages` for zh_Hans and en (Python and templates);
2. fills the zh_Hans catalogue with msgstr = msgid (Chinese is the source language), so it is complete;
3. reports English entries still untranslated or fuzzy (translate them in locale/en/LC_MESSAGES/django.po).

Usage: .venv/bin/python scripts/i18n_sync.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-l", "en", "--no-obsolete",
         "--ignore=.venv/*", "--ignore=var/*", "--ignore=tests/*", "--ignore=scripts/*"],
        cwd=ROOT,
        check=True,
    )
    zh = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    for entry in zh:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    zh.save()
    en = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [e for e in en if not e.translated() or "fuzzy" in e.flags]
    print(f"en: {len(en)} entries, {len(missing)} untranslated or fuzzy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
