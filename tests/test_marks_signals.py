"""Similarity signals (weiyuan.marks.signals, chars, latin, align): each scored 0-1 and explained in zh and en."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from weiyuan.marks import chars
from weiyuan.marks.align import align
from weiyuan.marks.latin import compare_latin, skeleton
from weiyuan.marks.normalise import normalise_mark
from weiyuan.marks.signals import FEATURES, TEMPLATES, Reason, Signals, compare_signals

# The English of each reason template, as the lead puts it in locale/en (tests skip the English check until then).
ENGLISH = {
    "identical": "Identical after normalisation: %(text)s",
    "glyph": "Characters look alike: %(pairs)s",
    "sound_same": "Same pinyin: %(pinyin)s",
    "sound_same_toneless": "Same pinyin (different tones): %(pinyin)s",
    "sound_near": "Sounds alike: %(pairs)s",
    "contain": "Contained: “%(short)s” appears in full in “%(long)s”",
    "swap": "Characters swapped: %(a)s / %(b)s",
    "insert": "Characters added or removed: %(chars)s",
    "edit": "Close in writing: %(a)s / %(b)s, %(edits)d edit(s) apart",
    "latin_look_alike": "Look-alike letters: %(pairs)s",
    "latin_swap": "Letters swapped: %(pairs)s",
    "latin_close": "Close in spelling: %(a)s / %(b)s, %(edits)d edit(s) apart",
    "translit": "Pinyin matches the letters: %(han)s = %(latin)s",
    "_separator": ", ",
}


def signals(a: str, b: str) -> Signals:
    return compare_signals(normalise_mark(a, field="a"), normalise_mark(b, field="b"))


def reason(result: Signals, code: str) -> Reason:
    found = [r for r in result.reasons if r.code == code]
    assert found, f"no {code} reason in {[r.code for r in result.reasons]}"
    return found[0]


def english(reason_: Reason) -> str:
    with translation.override("en"):
        return reason_.text()


def expected_english(code: str, params: dict) -> str:
    shown = {k: ", ".join(v) if isinstance(v, list) else v for k, v in params.items()}
    return ENGLISH[code] % shown


def test_every_template_has_its_english() -> None:
    assert set(TEMPLATES) | {"_separator"} == set(ENGLISH)
    with translation.override("en"):
        assert gettext("、") == ", "


def test_features_are_between_0_and_1() -> None:
    for a, b in [("康师傅", "康帅傅"), ("Haier", "海尔"), ("adidas", "abibas"), ("华为", "小米"), ("QQ星", "QQ晨")]:
        result = signals(a, b)
        assert set(result.features) == set(FEATURES)
        assert all(0.0 <= v <= 1.0 for v in result.features.values()), result.features


def test_identical_after_normalisation() -> None:
    result = signals("康師傅®", "康师傅牌")
    assert result.features["identical"] == 1.0
    r = reason(result, "identical")
    assert r.text() == "标准化后相同：康师傅"
    assert english(r) == "Identical after normalisation: 康师傅"


@pytest.mark.parametrize(
    ("a", "b", "pair"), [("康师傅", "康帅傅", "师≈帅"), ("雪碧", "雷碧", "雪≈雷"), ("大白兔", "大白免", "兔≈免")]
)
def test_glyph_look_alikes(a: str, b: str, pair: str) -> None:
    result = signals(a, b)
    assert result.features["glyph"] >= 0.9
    r = reason(result, "glyph")
    assert r.text() == f"字形相近：{pair}"
    assert english(r) == f"Characters look alike: {pair}"


def test_glyph_pairs_are_listed_with_the_language_separator() -> None:
    r = reason(signals("大白兔雪碧", "太白免雷碧"), "glyph")
    assert r.text() == "字形相近：大≈太、兔≈免、雪≈雷"
    assert english(r) == "Characters look alike: 大≈太, 兔≈免, 雪≈雷"


def test_character_written_as_two() -> None:
    result = signals("雕牌", "周住")  # 雕 = 周 + 隹, copied as 周住
    assert result.features["glyph"] >= 0.9
    assert reason(result, "glyph").text() == "字形相近：雕≈周住"


def test_glyph_similarity_of_characters() -> None:
    assert chars.glyph_similarity("师", "帅") >= 0.9
    assert chars.glyph_similarity("己", "巳") >= 0.9
    assert chars.glyph_similarity("路", "露") >= 0.6  # one inside the other
    assert chars.glyph_similarity("米", "鹏") < 0.3
    assert chars.glyph_similarity("为", "润") < 0.3
    assert chars.glyph_similarity("师", "帅") == chars.glyph_similarity("帅", "师")


def test_same_pinyin() -> None:
    result = signals("肯德基", "肯德鸡")
    assert result.features["sound"] == 1.0
    r = reason(result, "sound_same")
    assert r.text() == "拼音相同：ken de ji"
    assert english(r) == "Same pinyin: ken de ji"


def test_same_pinyin_other_tone() -> None:
    result = signals("美的", "梅地")  # mei3 de / mei2 de (地 also reads de)
    r = reason(result, "sound_same_toneless")
    assert r.text() == "拼音相同（声调不同）：mei de"
    assert english(r) == "Same pinyin (different tones): mei de"


def test_near_sounds() -> None:
    result = signals("康师傅", "康司傅")  # shi / si: retroflex and flat initials
    r = reason(result, "sound_near")
    assert r.text() == "读音相近：师 shi≈司 si"
    assert english(r) == "Sounds alike: 师 shi≈司 si"
    assert chars.syllables_near(chars.readings("安")[0], chars.readings("昂")[0])  # an / ang


def test_polyphones_use_every_common_reading() -> None:
    assert {r.toneless for r in chars.readings("行")} == {"xing", "hang"}
    assert chars.sound_similarity("行", "航").score >= 0.9  # hang2


def test_containment() -> None:
    result = signals("康师傅", "康师傅牛肉面")
    assert result.features["contain"] == 1.0
    r = reason(result, "contain")
    assert r.text() == "包含：“康师傅”完整出现在“康师傅牛肉面”中"
    assert english(r) == "Contained: “康师傅” appears in full in “康师傅牛肉面”"
    assert signals("米", "小米粥").features["contain"] == 0.0  # one character is too common to count


def test_swap_of_characters() -> None:
    r = reason(signals("康师傅", "康傅师"), "swap")
    assert r.text() == "字序调换：康师傅 / 康傅师"
    assert english(r) == "Characters swapped: 康师傅 / 康傅师"


def test_insertion() -> None:
    r = reason(signals("三只松鼠", "三只小松鼠"), "insert")
    assert r.text() == "增删文字：小"
    assert english(r) == "Characters added or removed: 小"


def test_plain_edit() -> None:
    r = reason(signals("小米", "小鹏"), "edit")
    assert r.text() == "文字相近：小米 / 小鹏，相差 1 处"
    assert english(r) == expected_english("edit", r.params)


@pytest.mark.parametrize(
    ("a", "b", "pair"),
    [("adidas", "abibas", "d≈b"), ("NIKE", "NIKF", "E≈F"), ("Lancome", "Lancorne", "rn≈m"), ("Haier", "Haler", "i≈l")],
)
def test_latin_look_alikes(a: str, b: str, pair: str) -> None:
    result = signals(a, b)
    assert result.features["latin"] >= 0.9
    r = reason(result, "latin_look_alike")
    assert pair in r.params["pairs"]
    assert r.text().startswith("形近字母：")
    assert english(r).startswith("Look-alike letters: ")


def test_latin_upper_case_look_alikes_need_upper_case() -> None:
    assert (
        compare_latin("nike", "nikf", cased_a="NIKE", cased_b="NIKF").similarity
        > compare_latin("nike", "nikf").similarity
    )


def test_latin_swap() -> None:
    r = reason(signals("iPhone", "iPhnoe"), "latin_swap")
    assert r.text() == "字母调换：on↔no"
    assert english(r) == "Letters swapped: on↔no"


def test_latin_close_spelling() -> None:
    r = reason(signals("Kappa", "Kapa"), "latin_close")
    assert r.text() == "拼写相近：kappa / kapa，相差 1 处"
    assert english(r) == expected_english("latin_close", r.params)


def test_skeleton() -> None:
    assert skeleton("rnicrosoft").text == "mlcrosoft"
    assert skeleton("0lay").text == skeleton("olay").text
    assert skeleton("subvvay").text == "subway"


def test_transliteration() -> None:
    result = signals("Kangshifu", "康师傅")
    assert result.features["translit"] == 1.0
    r = reason(result, "translit")
    assert r.text() == "拼音与字母对应：康师傅 = kangshifu"
    assert english(r) == "Pinyin matches the letters: 康师傅 = kangshifu"
    assert signals("Haier", "海信").features["translit"] < 0.6


def test_distinct_marks_have_no_reasons_of_likeness() -> None:
    result = signals("茅台", "五粮液")
    assert not [r for r in result.reasons if r.code in ("glyph", "sound_same", "sound_near", "contain")]
    assert result.features["weakest"] == 0.0


def test_weakest_position() -> None:
    assert signals("雪碧", "雷碧").features["weakest"] >= 0.9
    assert signals("华为", "华润").features["weakest"] < 0.5


def test_alignment() -> None:
    result = align("康师傅", "康帅傅", chars.glyph_similarity)
    assert [(x, y) for x, y, _ in result.pairs] == [("康", "康"), ("师", "帅"), ("傅", "傅")]
    assert align("", "康", chars.glyph_similarity).score == 0.0


def test_reason_as_dict_has_code_and_text() -> None:
    body = reason(signals("雪碧", "雷碧"), "glyph").as_dict()
    assert body["code"] == "glyph" and body["text"] == "字形相近：雪≈雷" and body["params"] == {"pairs": ["雪≈雷"]}
