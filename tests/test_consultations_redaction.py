"""The redactor proposes what could identify people and firms in a consultation; it does not touch the law."""

from __future__ import annotations

import pytest

from weiyuan.consultations.redaction import find_sensitive, highlight, redact


def kinds(text: str, names: tuple[str, ...] = ()) -> dict[str, str]:
    return {f.text: f.kind for f in find_sensitive(text, names=names)}


def test_a_typical_question_loses_its_names_numbers_and_contacts() -> None:
    text = (
        "我公司（上海明德光电科技有限公司，统一社会信用代码91310115MA1K4ABC3X）发现杭州云帆电子商务有限公司在淘宝开设的"
        "“小王数码专营店”销售仿冒我司ZL202310123456.7专利的产品，"
        "链接 https://item.taobao.com/item.htm?id=623456789012 。"
        "联系人张伟，电话 138-1234-5678，邮箱 zhangwei@mingde.com.cn。"
    )
    found = kinds(text, names=("张伟",))
    assert found == {
        "上海明德光电科技有限公司": "company",
        "91310115MA1K4ABC3X": "credit_code",
        "杭州云帆电子商务有限公司": "company",
        "小王数码专营店": "company",
        "ZL202310123456.7": "right_number",
        "https://item.taobao.com/item.htm?id=623456789012": "url",
        "张伟": "name",
        "138-1234-5678": "phone",
        "zhangwei@mingde.com.cn": "email",
    }
    redacted = redact(text, find_sensitive(text, names=("张伟",)))
    assert redacted == (
        "我公司（某公司，统一社会信用代码【信用代码】）发现某公司在淘宝开设的“某店”销售仿冒我司【权利号】专利的产品，"
        "链接 【网址】 。联系人【当事人】，电话 【电话】，邮箱 【邮箱】。"
    )


def test_personal_numbers_and_accounts() -> None:
    text = (
        "我叫李娜，身份证号310115199003074518，在拼多多买到假货，订单号：240312-5678901234567，快递单号SF1234567890123，"
        "另一单号 JT0012345678901。卖家QQ：12345678，微信号 wxid_abc123，电话0571-88886666，客服400-820-1234。"
    )
    found = kinds(text, names=("李娜",))
    assert found["李娜"] == "name"
    assert found["310115199003074518"] == "id_number"
    assert found["240312-5678901234567"] == "tracking"
    assert found["SF1234567890123"] == "tracking"
    assert found["JT0012345678901"] == "tracking"
    assert found["12345678"] == "contact"
    assert found["wxid_abc123"] == "contact"
    assert found["0571-88886666"] == "phone"
    assert found["400-820-1234"] == "phone"


def test_firms_ending_in_company_factory_or_shop_but_not_generic_words() -> None:
    text = "对方是义乌市佳美日用品厂，还有宁波和信贸易有限公司和一家网店；我们公司和贵公司、子公司、旗舰店都不算。"
    found = kinds(text)
    assert found == {"义乌市佳美日用品厂": "company", "宁波和信贸易有限公司": "company"}
    # A name already anonymised (某某) is left as written.
    assert kinds("被上海某某科技有限公司起诉") == {}


def test_case_numbers_trademark_numbers_and_web_addresses() -> None:
    text = "我们的商标第12345678号被抢注，案件编号 WY-2026-00012-000345，网店地址 www.example.cn/shop 和 mingde.com。"
    found = kinds(text)
    assert found["12345678"] == "right_number"
    assert found["WY-2026-00012-000345"] == "tracking"
    assert found["www.example.cn/shop"] == "url"
    assert found["mingde.com"] == "url"


@pytest.mark.parametrize(
    "text",
    [
        "根据《电子商务法》第四十三条，平台转送声明到达权利人后十五日内未收到投诉或起诉通知的，应当终止所采取的措施。",
        "专利法第六十五条规定，侵犯专利权的赔偿数额按照权利人因被侵权所受到的实际损失确定。",
        "可以向国家知识产权局请求宣告无效，或者拨打 12330 热线咨询。",
        "商标法实施条例第五十条：在同一种商品上使用与其注册商标相同的商标，属于侵权。",
    ],
)
def test_the_law_and_general_advice_are_left_alone(text: str) -> None:
    assert find_sensitive(text) == []


def test_names_from_the_case_are_found_wherever_they_appear() -> None:
    text = "申请人北京星河文化传媒有限公司诉张三丰侵权，张三丰称其代理人李四已出庭。"
    found = find_sensitive(text, names=("北京星河文化传媒有限公司", "张三丰", "李四", "", "王"))
    assert [f.text for f in found] == ["北京星河文化传媒有限公司", "张三丰", "张三丰", "李四"]
    assert all(f.kind == "name" for f in found)  # a case name wins over the firm rule for the same words


def test_highlight_marks_each_finding_and_escapes_the_rest() -> None:
    text = "<b>联系</b>电话13812345678"
    marked = highlight(text, find_sensitive(text))
    assert "&lt;b&gt;联系&lt;/b&gt;" in marked
    assert '<mark class="redact redact-phone" title="电话号码">13812345678</mark>' in marked
