"""Screening (weiyuan/marks/screening.py) and `manage.py tm_screen` on a small register."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.marks_support import SIMILAR, build_register, register_texts
from weiyuan.marks.models import Mark
from weiyuan.marks.screening import ScreenInputError, screen_mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db: Any) -> list[Mark]:
    return build_register()


def test_the_register_is_about_two_hundred_marks(register: list[Mark]) -> None:
    assert 180 <= len(register) <= 230


def test_screening_a_copycat_finds_its_original_in_the_top_ten(register: list[Mark]) -> None:
    on_register = {m.text for m in register}
    missed = []
    pairs = [p for p in SIMILAR if p["a"] in on_register]
    assert len(pairs) >= 150
    for pair in pairs:
        result = screen_mark(pair["b"], limit=10)
        if pair["a"] not in [hit.mark.text for hit in result.hits]:
            missed.append((pair["b"], pair["a"]))
    assert not missed


def test_a_copycat_ranks_its_original_first_with_reasons(register: list[Mark]) -> None:
    with translation.override("zh-hans"):
        result = screen_mark("康帅傅", limit=5)
    top = result.hits[0]
    assert top.mark.text == "康师傅"
    assert top.similar and top.score >= 0.5
    assert any("帅≈师" in reason.text() for reason in top.comparison.reasons)
    assert top.goods is None  # no classes asked: no goods closeness
    data = top.as_dict()
    assert data["number"] == top.mark.number and data["classes"] == top.mark.classes
    assert data["owner"] and data["status"] == "registered" and data["status_label"]
    assert data["reasons"] and all("code" in r and "text" in r for r in data["reasons"])


def test_latin_look_alike_found(register: list[Mark]) -> None:
    assert screen_mark("abibas").hits[0].mark.text.lower() == "adidas"


def test_class_filter_and_goods_closeness(register: list[Mark]) -> None:
    original = next(m for m in register if m.text == "康师傅")
    own_class = original.classes[0]
    other_class = next(n for n in (30, 25, 9, 3) if n not in original.classes)
    result = screen_mark("康帅傅", classes=[own_class])
    assert result.hits[0].mark.pk == original.pk
    assert all(own_class in hit.mark.classes for hit in result.hits)
    assert all(hit.goods is not None and own_class in hit.goods.shared_classes for hit in result.hits)
    elsewhere = screen_mark("康帅傅", classes=[str(other_class)])
    assert original.pk not in [hit.mark.pk for hit in elsewhere.hits]
    assert all(other_class in hit.mark.classes for hit in elsewhere.hits)
    # Goods closeness is beside the score, never in it.
    assert result.hits[0].score == screen_mark("康帅傅").hits[0].score


def test_limit(register: list[Mark]) -> None:
    assert len(screen_mark("康帅傅", limit=3).hits) == 3
    assert len(screen_mark("康帅傅", limit="1").hits) == 1
    scores = [hit.score for hit in screen_mark("康帅傅", limit=10).hits]
    assert scores == sorted(scores, reverse=True)


def test_an_unknown_mark_finds_few_and_weak_hits(register: list[Mark]) -> None:
    result = screen_mark("zzqx", limit=10)
    assert all(not hit.similar for hit in result.hits)


def test_the_number_of_queries_is_constant(register: list[Mark], django_assert_max_num_queries: Any) -> None:
    for text, classes in (("康帅傅", []), ("abibas", [25]), ("雷碧", [30, 32]), ("x", [])):
        with django_assert_max_num_queries(3):
            screen_mark(text, classes=classes, limit=20)


def test_the_candidate_cap_bounds_the_reranking(register: list[Mark]) -> None:
    result = screen_mark("康帅傅", cap=5)
    assert result.candidates <= 5
    assert result.hits[0].mark.text == "康师傅"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "mark"),
        ({"text": "   "}, "mark"),
        ({"text": "!!!——。"}, "mark"),
        ({"text": "康" * 61}, "mark"),
        ({"text": "康帅傅", "classes": [46]}, "class"),
        ({"text": "康帅傅", "classes": ["x"]}, "class"),
        ({"text": "康帅傅", "classes": [0]}, "class"),
        ({"text": "康帅傅", "limit": 0}, "limit"),
        ({"text": "康帅傅", "limit": 101}, "limit"),
        ({"text": "康帅傅", "limit": "ten"}, "limit"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ScreenInputError) as caught:
        screen_mark(**kwargs)
    assert caught.value.field == field and caught.value.message


# tm_screen ------------------------------------------------------------------------------------------------------


def test_tm_screen_prints_ranked_hits(register: list[Mark]) -> None:
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("tm_screen", "康帅傅", "--limit", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert "3 hits" in lines[0]
    first = next(line for line in lines[1:] if line.strip().startswith("1 "))
    original = next(m for m in register if m.text == "康师傅")
    assert "康师傅" in first and original.number in first and "已注册" in first and original.owner in first
    assert "*" in first  # similar flag
    assert any("字形相近：帅≈师" in line for line in lines)


def test_tm_screen_json(register: list[Mark]) -> None:
    out = StringIO()
    call_command("tm_screen", "abibas", "--class", "25", "--class", "9", "--json", "--language", "en", stdout=out)
    data = json.loads(out.getvalue())
    assert data["mark"] == "abibas" and data["classes"] == [9, 25]
    assert data["hits"], data
    hit = data["hits"][0]
    assert {"text", "number", "classes", "owner", "status", "score", "similar", "reasons", "goods"} <= set(hit)
    assert hit["goods"]["same_class"] is True
    assert all(set(h["classes"]) & {9, 25} for h in data["hits"])


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([""], "MARK"),
        (["——！？"], "MARK"),
        (["康帅傅", "--class", "46"], "--class"),
        (["康帅傅", "--class", "abc"], "--class"),
        (["康帅傅", "--limit", "0"], "--limit"),
    ],
)
def test_tm_screen_bad_input_names_the_option(args: list[str], option: str) -> None:
    with pytest.raises(CommandError, match=f"^{option}:"):
        call_command("tm_screen", *args, stdout=StringIO())


def test_register_texts_are_unique() -> None:
    texts = register_texts()
    assert len(texts) == len(set(texts))
