"""Pure functions of opinions: splitting pasted claims into claims and features, the all-elements verdict, and the
design and trademark verdicts. No database."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation

from weiyuan.opinions import verdict as v
from weiyuan.opinions.claims import claim_reference, split_claims, split_features
from weiyuan.opinions.trademark import mark_similarity_engine

UTILITY_MODEL_CLAIMS = (
    "1. 一种便携式折叠电动车车架，包括前架、后架和连接二者的折叠铰链，其特征在于：所述折叠铰"
    "链包括固定座和转动座；所述转动座通过销轴与所述固定座铰接；所述固定座上设有锁止销，所述锁止"
    "销在弹簧作用下插入转动座的锁孔。\n"
    "2. 根据权利要求1所述的折叠电动车车架，其特征在于：所述锁止销为不锈钢材质，直径为0.5"
    "mm至8mm。\n"
    "3．如权利要求1或2所述的折叠电动车车架，其特征在于，所述前架设有电池仓，所述电池仓位于前"
    "架下部。\n"
    "4、按照权利要求1-3中任一项所述的折叠电动车车架，其特征在于：所述后架的长度为1.2米。"
)

METHOD_CLAIMS = """权利要求书
１．一种高镍三元正极材料的制备方法，其特征在于，包括以下步骤：
S1，将镍盐、钴盐和锰盐按摩尔比8:1:1配制成混合溶液；
S2，在氮气保护下加入氢氧化钠溶液共沉淀，得到前驱体；
S3，将前驱体与氢氧化锂混合后进行两段烧结。
２．根据权利要求１所述的制备方法，其特征在于，步骤S3中第一段烧结温度为450℃至550℃。"""


# --- splitting claims --------------------------------------------------------------------------------------------


def test_split_claims_by_number_and_dependency() -> None:
    claims = split_claims(UTILITY_MODEL_CLAIMS)
    assert [c.number for c in claims] == [1, 2, 3, 4]
    assert [c.independent for c in claims] == [True, False, False, False]
    assert [c.refers_to for c in claims] == [None, 1, 1, 1]
    assert claims[0].features == (
        "包括前架、后架和连接二者的折叠铰链",
        "所述折叠铰链包括固定座和转动座",
        "所述转动座通过销轴与所述固定座铰接",
        "所述固定座上设有锁止销，所述锁止销在弹簧作用下插入转动座的锁孔",
    )
    # No semicolons after the preamble: split on commas; decimals ("0.5mm", "1.2米") never split a claim.
    assert claims[1].features == ("所述锁止销为不锈钢材质", "直径为0.5mm至8mm")
    assert claims[2].features == ("所述前架设有电池仓", "所述电池仓位于前架下部")
    assert claims[3].features == ("所述后架的长度为1.2米",)


def test_split_method_claims_with_fullwidth_numbers_and_steps_on_lines() -> None:
    claims = split_claims(METHOD_CLAIMS)
    assert [c.number for c in claims] == [1, 2]
    assert claims[0].independent and claims[1].refers_to == 1
    assert claims[0].features == (
        "S1，将镍盐、钴盐和锰盐按摩尔比8:1:1配制成混合溶液",
        "S2，在氮气保护下加入氢氧化钠溶液共沉淀，得到前驱体",
        "S3，将前驱体与氢氧化锂混合后进行两段烧结",
    )
    assert claims[1].features == ("步骤S3中第一段烧结温度为450℃至550℃",)


def test_claims_on_one_line_and_references_inside_a_claim_do_not_split() -> None:
    text = (
        "1、一种保温杯，包括：杯体；杯盖；密封圈。2、根据权利要求1所述的保温杯，"
        "所述杯盖上设有与权利要求1所述杯体配合的螺纹。"
    )
    claims = split_claims(text)
    assert [c.number for c in claims] == [1, 2]
    assert claims[0].features == ("杯体", "杯盖", "密封圈")
    assert claims[1].features == ("所述杯盖上设有与权利要求1所述杯体配合的螺纹",)


def test_numbers_out_of_sequence_stay_in_the_claim() -> None:
    claims = split_claims(
        "1. 一种装置，其特征在于：A部件；\n3. 不是第三项。\n2. 根据权利要求1所述的装置，其特征在于：B部件。"
    )
    assert [c.number for c in claims] == [1, 2]
    assert "3. 不是第三项" in claims[0].text


def test_unnumbered_text_is_one_claim_and_empty_text_none() -> None:
    claims = split_claims("一种折叠车架，包括前架；后架；铰链。")
    assert len(claims) == 1 and claims[0].number == 1 and claims[0].independent
    assert claims[0].features == ("前架", "后架", "铰链")
    assert split_claims("") == [] and split_claims("   \n ") == []
    assert split_features("") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据权利要求1所述的车架", 1),
        ("如权利要求2或3所述的车架", 2),
        ("按照权利要求1-3中任一项所述的方法", 1),
        ("依据权利要求１至３任意一项所述的方法", 1),
        ("The frame according to claim 4, wherein", 4),
        ("一种折叠电动车，包括权利要求1所述的车架", None),
        ("一种车架", None),
    ],
)
def test_claim_reference(text: str, expected: int | None) -> None:
    assert claim_reference(text) == expected


def test_hard_wraps_of_a_pdf_do_not_split_features() -> None:
    claims = split_claims("1. 一种车架，其特征在于：所述前架的后端设有\n铰接座；所述铰接座通过销轴\n与后架连接。")
    assert claims[0].features == ("所述前架的后端设有铰接座", "所述铰接座通过销轴与后架连接")


def test_english_claims() -> None:
    claims = split_claims(
        "1. A folding frame comprising: a front frame; a rear frame; a hinge.\n"
        "2. The frame according to claim 1, wherein the hinge has a locking pin."
    )
    assert claims[0].features == ("a front frame", "a rear frame", "a hinge")
    assert claims[1].refers_to == 1


# --- the all-elements rule ---------------------------------------------------------------------------------------


def f(comparison: str, reasoned: bool = True) -> v.FeatureRow:
    extra = {"means": "卡扣", "function": "铰接", "effect": "稳固"} if reasoned else {}
    return v.FeatureRow(text=f"特征-{comparison}", accused_text="对应特征", comparison=comparison, **extra)


@pytest.mark.parametrize(
    ("comparisons", "expected"),
    [
        ((), v.UNDECIDED),
        (("identical",), v.LITERAL),
        (("identical", "identical", "identical"), v.LITERAL),
        (("equivalent",), v.BY_EQUIVALENTS),
        (("identical", "equivalent"), v.BY_EQUIVALENTS),
        (("absent",), v.NOT_INFRINGING),
        (("identical", "absent"), v.NOT_INFRINGING),
        (("equivalent", "absent"), v.NOT_INFRINGING),
        (("identical", "equivalent", "absent"), v.NOT_INFRINGING),
        (("identical", ""), v.UNDECIDED),
        (("", "absent"), v.UNDECIDED),
        (("identical", "bogus"), v.UNDECIDED),
    ],
)
def test_claim_verdict(comparisons: tuple[str, ...], expected: str) -> None:
    assert v.claim_verdict([f(c) for c in comparisons]) == expected


def test_every_combination_of_three_features_follows_the_rule() -> None:
    for combo in itertools.product(["identical", "equivalent", "absent", ""], repeat=3):
        got = v.claim_verdict([f(c) for c in combo])
        if "" in combo:
            assert got == v.UNDECIDED, combo
        elif "absent" in combo:
            assert got == v.NOT_INFRINGING, combo
        elif "equivalent" in combo:
            assert got == v.BY_EQUIVALENTS, combo
        else:
            assert got == v.LITERAL, combo


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], v.UNDECIDED),
        ([v.LITERAL], v.LITERAL),
        ([v.NOT_INFRINGING, v.LITERAL], v.LITERAL),
        ([v.BY_EQUIVALENTS, v.LITERAL], v.LITERAL),
        ([v.NOT_INFRINGING, v.BY_EQUIVALENTS], v.BY_EQUIVALENTS),
        ([v.NOT_INFRINGING, v.NOT_INFRINGING], v.NOT_INFRINGING),
        ([v.NOT_INFRINGING, v.UNDECIDED], v.UNDECIDED),
        ([v.UNDECIDED, v.LITERAL], v.LITERAL),
    ],
)
def test_overall_verdict(verdicts: list[str], expected: str) -> None:
    assert v.overall_verdict(verdicts) == expected


def test_chart_verdict_uses_independent_claims_and_lists_every_feature() -> None:
    claims = [
        v.ClaimRow(1, True, (f("identical"), f("absent"))),
        v.ClaimRow(2, False, (f("absent"),)),  # dependent: not needed for the verdict
        v.ClaimRow(3, True, (f("identical"), f("equivalent"))),
    ]
    result = v.chart_verdict(claims)
    assert result.verdict == v.BY_EQUIVALENTS
    assert [c.number for c in result.claims] == [1, 3]
    assert [c.verdict for c in result.claims] == [v.NOT_INFRINGING, v.BY_EQUIVALENTS]
    text = result.reasoning
    assert "权利要求1（独立权利要求）" in text and "权利要求3（独立权利要求）" in text
    assert "技术特征2「特征-absent」：被诉产品不具备该特征" in text
    assert "缺少权利要求1的技术特征2" in text
    assert "手段：卡扣；功能：铰接；效果：稳固" in text
    assert "综上，被诉产品落入权利要求3的保护范围，构成等同侵权的可能性较大。" in text


def test_chart_verdict_empty_and_without_independent_claims() -> None:
    assert v.chart_verdict([]).verdict == v.UNDECIDED
    only_dependent = v.chart_verdict([v.ClaimRow(2, False, (f("identical"),))])
    assert only_dependent.verdict == v.UNDECIDED
    assert "没有独立权利要求" in only_dependent.reasoning
    no_features = v.chart_verdict([v.ClaimRow(1, True, ())])
    assert no_features.verdict == v.UNDECIDED and "尚未分解技术特征" in no_features.reasoning
    not_infringing = v.chart_verdict([v.ClaimRow(1, True, (f("absent"),))])
    assert not_infringing.verdict == v.NOT_INFRINGING
    assert "未落入任何一项独立权利要求的保护范围" in not_infringing.reasoning


def test_reasoning_follows_the_ui_language() -> None:
    """In English the reasoning is rendered through gettext (the English catalogue is synced by the lead; until then
    the Chinese msgid is the fallback), so the text always comes from the same translated sentences."""
    claims = [v.ClaimRow(1, True, (f("identical"),))]
    with translation.override("en"):
        english = v.chart_verdict(claims).reasoning
    with translation.override("zh-hans"):
        chinese = v.chart_verdict(claims).reasoning
    assert chinese.startswith("权利要求1")
    assert english  # either translated or the msgid; never empty


# --- designs and trademarks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "impression", "weights", "expected"),
    [
        ("same", "identical", [], v.LIKELY),
        ("similar", "similar", ["minor", "notable"], v.LIKELY),
        ("same", "similar", ["major"], v.NOT_INFRINGING),
        ("different", "identical", [], v.NOT_INFRINGING),
        ("same", "different", [], v.NOT_INFRINGING),
        ("", "identical", [], v.UNDECIDED),
        ("same", "", [], v.UNDECIDED),
    ],
)
def test_design_verdict(kind: str, impression: str, weights: list[str], expected: str) -> None:
    assert v.design_verdict(kind, impression, weights) == expected


@pytest.mark.parametrize(
    ("mark", "goods", "confusion", "expected"),
    [
        ("identical", "identical", "", v.LIKELY),  # Art. 57(1): no confusion needed
        ("identical", "identical", "unlikely", v.LIKELY),
        ("similar", "identical", "likely", v.LIKELY),
        ("identical", "similar", "likely", v.LIKELY),
        ("similar", "similar", "unlikely", v.NOT_INFRINGING),
        ("similar", "similar", "", v.UNDECIDED),
        ("not_similar", "identical", "likely", v.NOT_INFRINGING),
        ("identical", "not_similar", "likely", v.NOT_INFRINGING),
        ("", "identical", "likely", v.UNDECIDED),
    ],
)
def test_trademark_verdict(mark: str, goods: str, confusion: str, expected: str) -> None:
    assert v.trademark_verdict(mark, goods, confusion) == expected


def test_the_similarity_engine_proposes_a_judgement_with_its_reasons() -> None:
    copycat = mark_similarity_engine("康师傅", "康帅傅")
    assert copycat is not None and copycat.similarity == "similar" and copycat.score >= 0.5
    assert any("师≈帅" in reason for reason in copycat.reasons), copycat.reasons
    same = mark_similarity_engine("云澜", "雲瀾")  # Traditional and Simplified of one mark
    assert same is not None and same.similarity == "identical" and same.score == 1.0
    distinct = mark_similarity_engine("华为", "格力")
    assert distinct is not None and distinct.similarity == "not_similar"
    assert mark_similarity_engine("云澜", "！！") is None  # only punctuation: nothing to compare
