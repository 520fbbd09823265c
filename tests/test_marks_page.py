"""The trademark screening page (/marks/, /marks/compare/): who may use it, results with reasons in the page's
language, goods closeness with named similar groups, bad input named by field, HTMX partials, query counts."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ApplicantFactory, staff
from tests.marks_support import build_register, make_mark
from weiyuan.core.choices import Role
from weiyuan.marks.group_import import group_import
from weiyuan.marks.keystore import replace_keys
from weiyuan.marks.models import Mark

pytestmark = pytest.mark.django_db

SCREEN = reverse("marks:screen")
COMPARE = reverse("marks:compare")
GROUPS_FILE = Path(__file__).parent / "data" / "tm_similar_groups.csv"
SMALL = ["康师傅", "adidas", "雪碧", "华为", "小米", "Nike"]  # 康师傅 is R00000 in class 30 (build_register)


def client_for(user: Any, language: str = "") -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def text_of(response: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def rows_of(response: Any) -> list[str]:
    body = response.content.decode()
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    assert tbody is not None, body
    return [html.unescape(re.sub(r"<[^>]+>", " ", row)) for row in re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S)]


@pytest.fixture
def register(db: Any) -> list[Mark]:
    return build_register(SMALL)


@pytest.fixture
def applicant() -> Any:
    return ApplicantFactory()


@pytest.mark.parametrize("who", ["applicant", "sh_handler", "sh_director", Role.EXPERT.value, Role.PARTNER.value])
def test_the_page_renders_for_every_signed_in_role(network: dict[str, Any], who: str) -> None:
    user = ApplicantFactory() if who == "applicant" else network.get(who) or staff(network["shanghai"], Role(who))
    client = client_for(user)
    response = client.get(SCREEN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "商标近似筛查" in body and 'name="mark"' in body and 'name="a"' in body
    assert body.count('name="class"') == 45  # one box per Nice class, with its heading
    assert "30 方便食品" in text_of(response)
    assert f'href="{SCREEN}"' in body  # the navigation link


def test_anonymous_visitors_are_sent_to_the_login_page(register: list[Mark]) -> None:
    for url in (SCREEN + "?mark=康帅傅", COMPARE + "?a=康师傅&b=康帅傅"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert f'href="{SCREEN}"' not in Client().get(reverse("core:home")).content.decode()


def test_a_copycat_finds_its_original_first_with_reasons(register: list[Mark], applicant: Any) -> None:
    response = client_for(applicant).get(SCREEN, {"mark": "康帅傅", "limit": "3"})
    assert response.status_code == 200
    rows = rows_of(response)
    assert 1 <= len(rows) <= 3
    first = " ".join(rows[0].split())
    assert first.startswith("1 ")
    assert "康师傅" in first and "R00000" in first and "权利人R00000" in first and "已注册" in first
    assert "近似" in first and "不近似" not in first
    assert "字形相近：帅≈师" in first  # the query's character first
    assert re.search(r"\b(9\d|100)%", first)  # the score as a percentage
    assert "（标准化后：康帅傅）" in text_of(response)


def test_classes_filter_and_goods_closeness_name_the_groups(register: list[Mark], applicant: Any) -> None:
    group_import(path=GROUPS_FILE)
    tea = make_mark("康帅傅茶", "G00001", [30, 32], groups=["3002", "3202"])
    tea.save()
    replace_keys([tea])
    response = client_for(applicant).get(SCREEN, {"mark": "康帅傅", "class": ["30", "25"], "groups": "3002"})
    assert response.status_code == 200
    rows = [" ".join(r.split()) for r in rows_of(response)]
    row = next(r for r in rows if "G00001" in r)
    assert "同类 30 方便食品" in row
    assert "同一类似群" in row
    assert "3002 茶、茶饮料" in row  # named from the imported table; 3202 is in class 32, not asked for
    assert "3202" not in row
    original = next(r for r in rows if "R00000" in r)
    assert "同一类似群" not in original
    # Without classes or groups asked there is no goods column.
    plain = client_for(applicant).get(SCREEN, {"mark": "康帅傅"})
    assert "同类" not in text_of(plain)


def test_reasons_follow_the_interface_language(register: list[Mark], applicant: Any) -> None:
    english = client_for(applicant, "en").get(SCREEN, {"mark": "康帅傅"})
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "Characters look alike: 帅≈师" in text_of(english)
    assert "字形相近" not in text_of(english)
    compared = client_for(applicant, "en").get(COMPARE, {"a": "康师傅", "b": "康帅傅"})
    assert "Characters look alike: 师≈帅" in text_of(compared)


def test_group_names_in_english_when_known(register: list[Mark], applicant: Any) -> None:
    group_import(path=GROUPS_FILE)
    tea = make_mark("康帅傅茶", "G00001", [30], groups=["3002", "3007"])
    tea.save()
    replace_keys([tea])
    page = text_of(client_for(applicant, "en").get(SCREEN, {"mark": "康帅傅", "class": "30"}))
    assert "3002 Tea, tea-based beverages" in page
    assert "3007 方便食品" in page  # no English name imported: the Chinese one


BAD_SCREENS = [
    ({"mark": ""}, "商标", "商标文字不能为空", ""),
    ({"mark": "！！？"}, "商标", "商标文字只有标点或符号", 'value="！！？"'),
    ({"mark": "康" * 61}, "商标", "商标文字过长", 'value="' + "康" * 61 + '"'),
    ({"mark": "康帅傅", "class": ["30", "46"]}, "尼斯分类", "未知的尼斯分类号：46（应为 1-45）", 'value="30" checked'),
    ({"mark": "康帅傅", "class": "abc"}, "尼斯分类", "未知的尼斯分类号：abc", 'value="康帅傅"'),
    ({"mark": "康帅傅", "limit": "0"}, "返回条数", "返回条数应为 1 到 100 之间的整数", 'value="0"'),
    ({"mark": "康帅傅", "limit": "101"}, "返回条数", "返回条数应为 1 到 100 之间的整数", 'value="101"'),
    ({"mark": "康帅傅", "limit": "ten"}, "返回条数", "返回条数应为 1 到 100 之间的整数", 'value="ten"'),
    ({"mark": "康帅傅", "groups": "3002, 30x"}, "类似群", "类似群编号应为 4 位数字：30x", 'value="3002, 30x"'),
]


@pytest.mark.parametrize(("params", "label", "message", "kept"), BAD_SCREENS)
def test_bad_input_names_the_field_and_keeps_what_was_typed(
    register: list[Mark], applicant: Any, params: dict[str, Any], label: str, message: str, kept: str
) -> None:
    response = client_for(applicant).get(SCREEN, params)
    assert response.status_code == 400
    body = response.content.decode()
    page = text_of(response)
    assert f"{label}：{message}" in page  # beside the field and in the summary at the top
    assert 'class="error-summary"' in body and "<tbody>" not in body
    assert kept in body


def test_every_bad_field_is_named_at_once(register: list[Mark], applicant: Any) -> None:
    response = client_for(applicant).get(SCREEN, {"mark": "", "class": "46", "limit": "0"})
    page = text_of(response)
    assert "有 3 处需要修改" in page
    for label in ("商标：", "尼斯分类：", "返回条数："):
        assert label in page


def test_htmx_swaps_only_the_results(register: list[Mark], applicant: Any) -> None:
    client = client_for(applicant)
    headers = {"HX-Request": "true", "HX-Target": "screen-results"}
    response = client.get(SCREEN, {"mark": "康帅傅"}, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'name="mark"' not in body and "康师傅" in body and "<tbody>" in body
    bad = client.get(SCREEN, {"mark": "！！"}, headers=headers)
    assert bad.status_code == 200  # htmx does not swap a 4xx answer; the errors are in the partial
    assert "商标：商标文字只有标点或符号" in text_of(bad) and "<html" not in bad.content.decode()
    compared = client.get(COMPARE, {"a": "康师傅", "b": "康帅傅"}, headers={**headers, "HX-Target": "compare-result"})
    assert compared.status_code == 200 and "<html" not in compared.content.decode()
    assert "字形相近：师≈帅" in text_of(compared)


def test_compare_two_marks(applicant: Any) -> None:
    response = client_for(applicant).get(COMPARE, {"a": "康师傅", "b": "康帅傅"})
    assert response.status_code == 200
    page = " ".join(text_of(response).split())
    assert re.search(r"近似度 (9\d|100)% (9\d|100)% 近似", page)
    assert "字形相近：师≈帅" in page
    assert 'value="康师傅"' in response.content.decode() and 'value="康帅傅"' in response.content.decode()
    distinct = " ".join(text_of(client_for(applicant).get(COMPARE, {"a": "茅台", "b": "五粮液"})).split())
    assert "不近似" in distinct


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"a": "", "b": "康帅傅"}, ["商标 A：商标文字不能为空"]),
        ({"a": "康师傅", "b": "！！"}, ["商标 B：商标文字只有标点或符号"]),
        ({"a": "", "b": "康" * 61}, ["商标 A：商标文字不能为空", "商标 B：商标文字过长"]),
    ],
)
def test_compare_bad_input_names_the_field(applicant: Any, params: dict[str, str], expected: list[str]) -> None:
    response = client_for(applicant).get(COMPARE, params)
    assert response.status_code == 400
    page = text_of(response)
    for message in expected:
        assert message in page


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SCREEN, {"mark": "康帅傅", "class": "30", "groups": "3002", "limit": "20"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_register(applicant: Any, django_assert_max_num_queries: Any) -> None:
    group_import(path=GROUPS_FILE)
    build_register(SMALL)
    client = client_for(applicant)
    client.get(SCREEN)  # warm the session and per-process caches
    small = _queries(client)
    Mark.objects.all().delete()
    build_register()  # the full test register: 220 marks, many of them in class 30 with 康/师/傅 keys
    large = _queries(client)
    assert large == small
    with django_assert_max_num_queries(13):
        client.get(SCREEN, {"mark": "康帅傅", "class": "30", "groups": "3002", "limit": "20"})
