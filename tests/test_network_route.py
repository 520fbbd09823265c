"""Routing an application to the competent centres, nearest level first, and the HTMX partial the intake uses."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import CentreFactory
from weiyuan.network.models import Centre, CentreKind, FilingStatus
from weiyuan.network.selectors import centre_route, region_chain

ROUTE = reverse("network:route")


@pytest.fixture
def tree(network):
    network["sh_city"] = CentreFactory(
        code="sh-city",
        name="上海市快速维权中心",
        kind=CentreKind.RAPID_CENTRE,
        parent=network["shanghai"],
        region_id="310100",
    )
    network["ws"] = CentreFactory(
        code="sh-ws",
        name="张江工作站",
        kind=CentreKind.WORKSTATION,
        parent=network["pudong"],
        region_id="310115",
        service_types=["consultation"],
    )
    network["draft"] = CentreFactory(
        code="sh-draft",
        name="未备案分中心",
        parent=network["pudong"],
        region_id="310115",
        filing_status=FilingStatus.DRAFT,
    )
    network["hz"] = CentreFactory(code="hz", name="杭州市维权援助中心", parent=network["zhejiang"], region_id="330100")
    return network


def route_codes(**kwargs: str) -> list[tuple[str, str]]:
    return [(p.centre.code, p.level) for p in centre_route(**kwargs)]


def test_region_chain():
    assert region_chain("310115") == ["310115", "310100", "310000"]
    assert region_chain("330100") == ["330100", "330000"]
    assert region_chain("330000") == ["330000"]


@pytest.mark.django_db
def test_route_orders_county_city_province_national(tree):
    assert route_codes(region_code="310115", ip_type="trademark", service_type="consultation") == [
        ("sh-ws", "county"),  # a workstation is the nearest door at its level
        ("sh-pd", "county"),
        ("sh-city", "city"),
        ("sh", "province"),
        ("national", "national"),
    ]


@pytest.mark.django_db
def test_route_filters_by_service_type_and_leaves_out_unfiled_centres(tree):
    codes = route_codes(region_code="310115", ip_type="trademark", service_type="infringement_opinion")
    assert [c for c, _level in codes] == ["sh-pd", "sh-city", "sh", "national"]
    assert "sh-draft" not in [c for c, _level in codes]


@pytest.mark.django_db
def test_route_from_a_city_and_a_province(tree):
    assert route_codes(region_code="330106", ip_type="trademark", service_type="consultation") == [
        ("hz", "city"),
        ("zj", "province"),
        ("national", "national"),
    ]
    assert route_codes(region_code="330000", ip_type="trademark", service_type="consultation") == [
        ("zj", "province"),
        ("national", "national"),
    ]


@pytest.mark.django_db
def test_national_centre_is_proposed_once_even_from_its_own_region(tree):
    codes = route_codes(region_code="110101", ip_type="trademark", service_type="consultation")
    assert codes == [("national", "national")]


@pytest.mark.django_db
def test_route_with_nothing_competent(tree):
    Centre.objects.update(ip_types=["trademark"])
    assert route_codes(region_code="310115", ip_type="copyright", service_type="consultation") == []


# --- the partial ------------------------------------------------------------------------------------------------


def radios(body: str) -> list[str]:
    return re.findall(r'<input type="radio" name="centre" value="([^"]+)"', body)


@pytest.mark.django_db
def test_route_partial_lists_radio_buttons_nearest_first(client, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(
            ROUTE,
            {"region": "310115", "ip_type": "trademark", "service_type": "consultation"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-route-status="ok"' in body
    assert radios(body) == ["sh-ws", "sh-pd", "sh-city", "sh", "national"]
    assert re.search(r'value="sh-ws" checked', body)
    assert body.count(" checked") == 1
    assert "<html" not in body  # a partial, not a page
    assert "区县级" in body and "国家级" in body


@pytest.mark.django_db
def test_route_partial_without_ip_or_service_type_proposes_all_filed_centres(client, tree):
    response = client.get(ROUTE, {"region": "310115"})
    assert radios(response.content.decode()) == ["sh-ws", "sh-pd", "sh-city", "sh", "national"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "999999", "ip_type": "trademark"}, "所在地区（region）的行政区划代码「999999」不存在"),
        ({"region": "31011", "ip_type": "trademark"}, "所在地区（region）应为 6 位行政区划代码"),
        ({"region": "浦东新区"}, "所在地区（region）"),
        ({"ip_type": "trademark"}, "请填写所在地区的 6 位行政区划代码（region）"),
        ({"region": "310115", "ip_type": "patent"}, "知识产权类型（ip_type）「patent」"),
        ({"region": "310115", "service_type": "astrology"}, "服务类型（service_type）「astrology」"),
    ],
)
def test_route_partial_names_the_bad_field(client, tree, params, message):
    response = client.get(ROUTE, params)
    assert response.status_code == 200  # swapped in by HTMX like any answer
    body = response.content.decode()
    assert 'data-route-status="invalid"' in body
    assert message in body
    assert radios(body) == []


@pytest.mark.django_db
def test_route_partial_suggests_the_hotline_when_no_centre_serves(client, tree):
    Centre.objects.update(ip_types=["trademark"])
    response = client.get(ROUTE, {"region": "310115", "ip_type": "copyright", "service_type": "consultation"})
    body = response.content.decode()
    assert 'data-route-status="none"' in body
    assert "12330" in body and "上海市浦东新区（310115）" in body
    assert radios(body) == []


@pytest.mark.django_db
def test_centre_page_query_count_does_not_grow_with_children(client, tree, django_assert_max_num_queries):
    for i in range(15):
        CentreFactory(code=f"pd-{i}", kind=CentreKind.WORKSTATION, parent=tree["pudong"], region_id="310115")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("network:centre", args=["sh-pd"]))
    assert response.status_code == 200
    assert len(response.context["children"]) == 16
