"""Normalisation of mark text (weiyuan.marks.normalise): pure functions, no database."""

from __future__ import annotations

import pytest
from django.utils import translation

from weiyuan.marks.normalise import MAX_LENGTH, MarkTextError, fold, normalise_mark


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("康師傅", "康师傅"),  # Traditional -> Simplified
        ("榮牛", "荣牛"),
        ("ＮＩＫＥ", "nike"),  # full width -> half width, case folded
        ("Ｎｉｋｅ １２３", "nike123"),
        ("Coca-Cola", "cocacola"),  # punctuation and spaces removed
        ("  Levi's  ", "levis"),
        ("娃哈哈®", "娃哈哈"),  # symbols set aside
        ("SONY™", "sony"),  # ™ dropped before NFKC would make it letters
        ("白猫牌", "白猫"),  # generic suffix
        ("海尔集团", "海尔"),
        ("康师傅有限公司", "康师傅"),
        ("Apple Inc.", "apple"),
        ("Nike TM", "nike"),
        ("商标：小米", "小米"),
        ("牌坊", "牌坊"),  # 牌 is generic only as a suffix
        ("品牌", "品牌"),  # a mark that is nothing but a generic word is kept whole
        ("TM", "tm"),
    ],
)
def test_normalised_text(text: str, expected: str) -> None:
    assert normalise_mark(text).text == expected


def test_removed_words_are_reported() -> None:
    mark = normalise_mark("康師傅® 牌")
    assert mark.text == "康师傅"
    assert "牌" in mark.removed and "®" not in mark.text


def test_han_and_latin_parts() -> None:
    mark = normalise_mark("QQ星")
    assert (mark.han, mark.latin, mark.kind) == ("星", "qq", "mixed")
    assert normalise_mark("海尔").kind == "han"
    assert normalise_mark("Haier").kind == "latin"


def test_fold_keeps_everything() -> None:
    assert fold("ＡＢ 康師傅！") == "ab 康师傅!"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_text_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(MarkTextError) as error:
        normalise_mark(text, field="b")
    assert error.value.field == "b"
    assert "不能为空" in error.value.message
    assert str(error.value).startswith("b: ")


@pytest.mark.parametrize("text", ["!!!", "——", "（）《》", "- . -", "★☆"])
def test_only_punctuation_is_refused(text: str) -> None:
    with pytest.raises(MarkTextError) as error:
        normalise_mark(text, field="mark")
    assert error.value.field == "mark"
    assert "只有标点或符号" in error.value.message


def test_over_long_text_is_refused() -> None:
    normalise_mark("商" * MAX_LENGTH)
    with pytest.raises(MarkTextError) as error:
        normalise_mark("商" * (MAX_LENGTH + 1), field="a")
    assert error.value.field == "a"
    assert f"{MAX_LENGTH + 1} 个字符" in error.value.message


def test_errors_follow_the_active_language() -> None:
    with translation.override("en"), pytest.raises(MarkTextError) as error:
        normalise_mark("", field="a")
    # The message goes through gettext: English once the catalogue has it, the Chinese msgid until then.
    assert error.value.message == "The trademark text cannot be empty."
