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
    KIND_COMPONENT,
    KIND_GLYPH_GROUP,
    KIND_NEAR_PINYIN,
    KIND_PINYIN,
    KIND_SKELETON,
    KIND_SKELETON_DELETE,
    KIND_TRIGRAM,
    STAT_MARKS,
    coarse_skeleton,
    mark_keys,
)
from weiyuan.marks.models import Mark, MarkKey, MarkKeyStat
from weiyuan.marks.normalise import normalise_mark


def keys(text: str) -> set[tuple[str, str]]:
    return mark_keys(normalise_mark(text).text)


def kinds(shared: set[tuple[str, str]]) -> set[str]:
    return {kind for kind, _ in shared}


def test_copycat_chinese_marks_share_glyph_and_pinyin_keys() -> None:
    shared = keys("康师傅") & keys("康帅傅")
    assert (KIND_GLYPH_GROUP, "师") in shared
    assert {(KIND_COMPONENT, "康"), (KIND_COMPONENT, "傅")} <= shared
    assert (KIND_BIGRAM, "康师") in keys("康师傅")
    # Traditional script is indexed as Simplified.
    assert keys("康師傅") == keys("康师傅")


def test_near_sounds_share_a_canonical_key() -> None:
    # 师 shi / 司 si: s and sh fold to one initial, so the whole marks read alike.
    assert {k for k in keys("康师傅") & keys("康司傅") if k[0] == KIND_NEAR_PINYIN}
    assert not {k for k in keys("康师傅") & keys("康马傅") if k[0] == KIND_NEAR_PINYIN}
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
    assert (marks[0].pk, KIND_BIGRAM, "康师") in before


def stats() -> dict[tuple[str, str], int]:
    return {(kind, key): n for kind, key, n in MarkKeyStat.objects.values_list("kind", "key", "marks")}


def counted() -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {STAT_MARKS: Mark.objects.filter(keys__isnull=False).distinct().count()}
    for kind, key in MarkKey.objects.values_list("kind", "key"):
        out[(kind, key)] = out.get((kind, key), 0) + 1
    return out


@pytest.mark.django_db
def test_key_counts_follow_imports_and_reindex_makes_them_exact(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("商标,注册号,类别\n康师傅,100,30\n康帅傅,101,30\nadidas,200,25\n", encoding="utf-8")
    mark_import(path=path)
    assert stats()[(KIND_COMPONENT, "康")] == 2
    assert stats()[STAT_MARKS] == 3
    # A re-import with another text moves the counts: 康 loses one mark, 雪 gains one; no mark is counted twice.
    path.write_text("商标,注册号,类别\n雪碧,101,32\n", encoding="utf-8")
    mark_import(path=path)
    live = {k: n for k, n in stats().items() if n}
    assert live == counted()
    assert live[(KIND_COMPONENT, "康")] == 1 and live[(KIND_COMPONENT, "雪")] == 1
    call_command("tm_reindex", "--no-progress", stdout=StringIO())
    assert stats() == counted()


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
    # Re-import with a new text and class: the old keys go, the new ones come, nothing doubled.
    path.write_text("商标,注册号,类别\n雪碧,100,32\n", encoding="utf-8")
    mark_import(path=path)
    stored = set(MarkKey.objects.filter(mark=mark).values_list("kind", "key"))
    assert stored == keys("雪碧")
    assert MarkKey.objects.filter(mark=mark).count() == len(stored)
    other = Mark.objects.get(number="200")
    assert set(MarkKey.objects.filter(mark=other).values_list("kind", "key")) == keys("adidas")


@pytest.mark.django_db
def test_reindex_leaves_the_foreign_key_and_the_lookup_index_in_place() -> None:
    from django.db import connection

    build_register(["康师傅", "adidas"])
    call_command("tm_reindex", "--no-progress", stdout=StringIO())
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, MarkKey._meta.db_table)
    assert any(c["foreign_key"] == ("marks_mark", "id") for c in constraints.values())
    assert constraints["marks_key_kind_key_mark"]["columns"] == ["kind", "key", "mark_id"]


def test_a_query_crosses_skeleton_and_deletions_so_a_dropped_letter_is_found() -> None:
    from weiyuan.marks.screening import query_keys

    original = keys("Yaoqiu")
    assert not {k for k in original & keys("Yaoqi") if k[0] in (KIND_SKELETON, KIND_SKELETON_DELETE)}
    # The query's skeleton meets the original's one-letter deletion, and the other way round.
    assert (KIND_SKELETON_DELETE, coarse_skeleton("yaoqi")) in query_keys(normalise_mark("Yaoqi").text) & original
    assert (KIND_SKELETON, coarse_skeleton("yaoqiu")) in query_keys(normalise_mark("Yaoqiuu").text)
