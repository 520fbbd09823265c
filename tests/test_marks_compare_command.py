"""`manage.py tm_compare "A" "B" [--json]`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = StringIO()
    call_command("tm_compare", *args, stdout=out)
    return out.getvalue()


def test_plain_output_has_score_verdict_and_reasons() -> None:
    body = json.loads(run("康师傅", "康帅傅"))
    assert set(body) == {"score", "similar", "reasons"}
    assert 0.9 <= body["score"] <= 1.0
    assert body["similar"] is True
    assert body["reasons"] == ["字形相近：师≈帅"]


def test_distinct_marks() -> None:
    body = json.loads(run("茅台", "五粮液"))
    assert body["similar"] is False
    assert body["score"] < 0.2


def test_json_output_is_machine_readable() -> None:
    body = json.loads(run("adidas", "abibas", "--json"))
    assert body["similar"] is True
    assert body["threshold"] == 0.5
    assert body["normalised"] == ["adidas", "abibas"]
    assert set(body["signals"]) >= {"glyph", "sound", "latin", "translit", "edit", "contain", "identical"}
    codes = [r["code"] for r in body["reasons"]]
    assert "latin_look_alike" in codes
    first = body["reasons"][0]
    assert set(first) == {"code", "score", "text", "params"}


def test_identical_after_normalisation_scores_one() -> None:
    body = json.loads(run("康師傅®", "康师傅牌"))
    assert body == {"score": 1.0, "similar": True, "reasons": ["标准化后相同：康师傅"]}


def test_language_option() -> None:
    body = json.loads(run("康师傅", "康帅傅", "--language", "en", "--json"))
    # The reason text goes through gettext: English once locale/en has it; the code is the same in any language.
    assert body["reasons"][0]["code"] == "glyph"
    assert body["reasons"][0]["text"] == "Characters look alike: 师≈帅"


def test_goods_closeness_is_reported_beside_the_score() -> None:
    without = json.loads(run("康师傅", "康帅傅"))
    body = json.loads(run("康师傅", "康帅傅", "--classes-a", "30", "29", "--classes-b", "30", "--groups-a", "3002"))
    assert body["goods"] == {"same_class": True, "same_group": False, "shared_classes": [30], "shared_groups": []}
    assert body["score"] == without["score"]  # never mixed into the mark score


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "康帅傅"), "a: 商标文字不能为空"),
        (("康师傅", "！！"), "b: 商标文字只有标点或符号"),
        (("康" * 61, "康师傅"), "a: 商标文字过长"),
        (("康师傅", "康帅傅", "--classes-a", "46"), "--classes-a: unknown Nice class 46"),
        (("康师傅", "康帅傅", "--classes-b", "0"), "--classes-b: unknown Nice class 0"),
    ],
)
def test_bad_input_names_the_field(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
