"""The candidate index (weiyuan/marks/index.py): keys per mark, tm_reindex, kept current by tm_import."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.marks_support import build_register
from weiyuan.marks.importing import mark_import
from weiyuan.marks.index import (
    KIND_BIGRAM,
    KIND_CLASS,
    KIND_GLYPH_GROUP,
    KIND_NEAR,
    KIND_PINYIN,
    KIND_SKELETON,
    KIND_SKELETON_DELETE,
    KIND_SYLLABLE,
    KIND_TRIGRAM,
    coarse_skeleton,
    mark_keys,
)
from weiyuan.marks.models import Mark, MarkKey
from weiyuan.marks.normalise import normalise_mark


def keys(text: str) -> set[tuple[str, str]]:
    return mark_keys(normalise_mark(text).text)


def kinds(shared: set[tuple[str, str]]) -> set[str]:
    return {kind for kind, _ in shared}


def test_copycat_chinese_marks_share_glyph_and_pinyin_keys() -> None:
    shared = keys("康师傅") & keys("康帅傅")
    assert (KIND_GLYPH_GROUP, "师") in shared
    assert {(KIND_SYLLABLE, "kang"), (KIND_SYLLABLE, "fu")} <= shared
    assert (KIND_BIGRAM, "康师") in keys("康师傅")
    # Traditional script is indexed as Simplified.
    assert keys("康師傅") == keys("康师傅")


def test_near_sounds_share_a_canonical_key() -> None:
    # 师 shi / 司 si: s and sh fold to one initial.
    assert (KIND_NEAR, "s-i") in keys("师") & keys("司")
    assert (KIND_NEAR, "s-i") not in keys("师") & keys("马")
    assert (KIND_PINYIN, "kendeji") in keys("肯德基") & keys("肯德鸡")


def test_latin_look_alikes_share_skeleton_keys() -> None:
    assert coarse_skeleton("adidas") == coarse_skeleton("abibas")
    shared = keys("adidas") & keys("abibas")
    assert KIND_SKELETON in kinds(shared) and KIND_TRIGRAM in kinds(shared)
    assert keys("NIKE") & keys("NIKF") & {(KIND_SKELETON_DELETE, "nlk")}
    assert (KIND_SKELETON, coarse_skeleton("rnicrosoft")) in keys("microsoft")
    # Transliteration: the pinyin of 海尔 is a key of Haier.
    assert (KIND_PINYIN, "haier") in keys("海尔") & keys("Haier")


def test_unrelated_marks_share_no_strong_keys() -> None:
    shared = keys("华为") & keys("adidas")
    assert not shared


@pytest.mark.django_db
def test_reindex_is_idempotent() -> None:
    marks = build_register(["康师傅", "adidas", "雪碧"])
    before = sorted(MarkKey.objects.values_list("mark_id", "kind", "key"))
    assert before
    out = StringIO()
    call_command("tm_reindex", "--no-progress", "--batch-size", "2", stdout=out)
    assert "3 marks indexed" in out.getvalue()
    call_command("tm_reindex", "--no-progress", stdout=StringIO())
    assert sorted(MarkKey.objects.values_list("mark_id", "kind", "key")) == before
    assert (marks[0].pk, KIND_CLASS, "30") in before


@pytest.mark.django_db
def test_reindex_rebuilds_a_lost_index() -> None:
    build_register(["康师傅", "adidas"])
    expected = sorted(MarkKey.objects.values_list("mark_id", "kind", "key"))
    MarkKey.objects.all().delete()
    call_command("tm_reindex", "--no-progress", stdout=StringIO())
    assert sorted(MarkKey.objects.values_list("mark_id", "kind", "key")) == expected


@pytest.mark.django_db
def test_reindex_rejects_a_bad_batch_size() -> None:
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("tm_reindex", "--no-progress", "--batch-size", "0")


@pytest.mark.django_db
def test_import_keeps_the_index_current(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("商标,注册号,类别\n康师傅,100,30\nadidas,200,25\n", encoding="utf-8")
    mark_import(path=path)
    mark = Mark.objects.get(number="100")
    assert MarkKey.objects.filter(mark=mark, kind=KIND_BIGRAM, key="康师").exists()
    assert MarkKey.objects.filter(mark=mark, kind=KIND_CLASS, key="30").exists()
    # Re-import with a new text and class: the old keys go, the new ones come, nothing doubled.
    path.write_text("商标,注册号,类别\n雪碧,100,32\n", encoding="utf-8")
    mark_import(path=path)
    stored = set(MarkKey.objects.filter(mark=mark).values_list("kind", "key"))
    assert stored == keys("雪碧") | {(KIND_CLASS, "32")}
    assert MarkKey.objects.filter(mark=mark).count() == len(stored)
    other = Mark.objects.get(number="200")
    assert set(MarkKey.objects.filter(mark=other).values_list("kind", "key")) == keys("adidas") | {(KIND_CLASS, "25")}
