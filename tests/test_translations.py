"""Both catalogues are complete: every UI string has a zh-hans and an English text, and English has no Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
# English texts that must quote Chinese: the language switcher offers Chinese by its own name, and examples of
# Chinese input (place names, article numbers, glyph pairs) stay in Chinese.
ALLOWED_CJK_IN_ENGLISH = re.compile(r"简体中文|浦东|上海|第[一二三四五六七八九十百]+条|维援")


def catalogue(language: str) -> polib.POFile:
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing {path}: run scripts/i18n_sync.py"
    return polib.pofile(str(path))


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogue_is_complete(language: str) -> None:
    po = catalogue(language)
    assert len(po) > 100
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert not missing, f"{len(missing)} untranslated in {language}, e.g. {missing[:5]}"


def test_english_has_no_untranslated_chinese() -> None:
    offenders = []
    for entry in catalogue("en"):
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            if CJK.search(ALLOWED_CJK_IN_ENGLISH.sub("", text)):
                offenders.append((entry.msgid, text))
    assert not offenders, offenders[:10]


def test_placeholders_survive_translation() -> None:
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{\{ *[a-z_.]+ *\}\}")
    broken = []
    for entry in catalogue("en"):
        if entry.msgid_plural:
            continue
        if sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr)):
            broken.append(entry.msgid)
    assert not broken, broken[:10]


@pytest.mark.django_db
def test_pages_render_in_english() -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        home = client.get("/").content.decode()
    assert 'lang="en"' in home
    assert "IP rights protection assistance" in home
    visible = re.sub(r"<[^>]+>", " ", home.split("<main", 1)[1].split("</main>", 1)[0])
    assert not CJK.search(ALLOWED_CJK_IN_ENGLISH.sub("", visible)), visible[:500]
