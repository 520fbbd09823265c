"""The public directory, region search, a centre's page and the profile edit by its director."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CentreFactory, staff
from weiyuan.audit.models import AuditEvent
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre, CentreKind, FilingStatus
from weiyuan.network.selectors import centre_directory, region_search

DIRECTORY = reverse("network:directory")


def codes_in(response) -> list[str]:
    return [row["centre"].code for row in response.context["rows"]]


@pytest.fixture
def tree(network):
    """The shared network plus a city-level centre, a workstation with a narrow remit and an unfiled centre."""
    network["sh_city"] = CentreFactory(
        code="sh-city",
        name="上海市快速维权中心",
        kind=CentreKind.RAPID_CENTRE,
        parent=network["shanghai"],
        region_id="310100",
    )
    network["ws"] = CentreFactory(
        code="sh-ws",
        name="张江科学城知识产权工作站",
        kind=CentreKind.WORKSTATION,
        site="park",
        parent=network["pudong"],
        region_id="310115",
        ip_types=["copyright"],
        service_types=["consultation"],
        address="上海市浦东新区张江路 1 号",
        phone="021-50800000",
        hours="工作日 9:00-17:00",
    )
    network["draft"] = CentreFactory(
        code="sh-draft",
        name="未备案工作站",
        parent=network["pudong"],
        region_id="310115",
        filing_status=FilingStatus.DRAFT,
    )
    return network


# --- the directory ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_directory_lists_approved_centres_only(client, tree):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    codes = codes_in(response)
    assert set(codes) == {"national", "sh", "sh-pd", "zj", "sh-city", "sh-ws"}
    assert "sh-draft" not in codes


@pytest.mark.django_db
def test_directory_row_shows_display_names_region_phone_and_hours(client, tree):
    response = client.get(DIRECTORY, {"q": "张江"})
    body = response.content.decode()
    assert codes_in(response) == ["sh-ws"]
    assert "张江科学城知识产权工作站" in body
    assert "上海市浦东新区" in body  # region full name
    assert "著作权" in body  # IP type display name, not the code
    assert "咨询" in body  # service type display name
    assert "021-50800000" in body and "工作日 9:00-17:00" in body
    assert reverse("network:centre", args=["sh-ws"]) in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "310115"}, {"sh-pd", "sh-ws"}),
        ({"region": "310000"}, {"sh", "sh-pd", "sh-city", "sh-ws"}),  # a province covers everything inside it
        ({"region": "浦东新区"}, {"sh-pd", "sh-ws"}),  # by name
        ({"region": "上海市"}, {"sh", "sh-pd", "sh-city", "sh-ws"}),
        (
            {"region": "上海"},
            {"sh", "sh-pd", "sh-city", "sh-ws"},
        ),  # every match lies inside 上海市  # province and city share the name: the wider
        ({"region": "浙江省"}, {"zj"}),
        ({"ip_type": "copyright", "region": "310115"}, {"sh-pd", "sh-ws"}),
        ({"ip_type": "trademark", "region": "310115"}, {"sh-pd"}),
        ({"service_type": "infringement_opinion", "region": "310115"}, {"sh-pd"}),
        ({"kind": "workstation"}, {"sh-ws"}),
        ({"kind": "national_centre"}, {"national"}),
        ({"q": "快速维权"}, {"sh-city"}),
        ({"q": "张江路"}, {"sh-ws"}),  # address
    ],
)
def test_directory_filters(client, tree, params, expected):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    assert set(codes_in(response)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "999999"}, "行政区划代码「999999」不存在"),
        ({"region": "3101"}, "应为 6 位数字"),
        ({"region": "火星"}, "没有名为「火星」的地区"),
        ({"region": "朝阳区"}, "对应多个地区"),
        ({"ip_type": "patent"}, "知识产权类型"),
        ({"kind": "embassy"}, "机构类型"),
    ],
)
def test_directory_bad_filters_name_the_field(client, tree, params, message):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert response.context["rows"] == []


@pytest.mark.django_db
def test_directory_is_paginated_and_free_of_n_plus_one(client, network, django_assert_max_num_queries):
    for i in range(30):
        CentreFactory(
            code=f"ws-{i:02d}",
            name=f"工作站{i:02d}",
            kind=CentreKind.WORKSTATION,
            parent=network["pudong"],
            region_id="310115",
        )
    with django_assert_max_num_queries(4):
        response = client.get(DIRECTORY, {"region": "310115"})
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 31
    with django_assert_max_num_queries(4):
        second = client.get(DIRECTORY, {"region": "310115", "page": "2"})
    assert len(second.context["rows"]) == 6
    assert "region=310115" in response.content.decode()  # the next-page link keeps the filters


def test_directory_selector_orders_by_level(db, tree):
    codes = list(centre_directory(region_code="310000").values_list("code", flat=True))
    assert codes.index("sh") < codes.index("sh-city") < codes.index("sh-ws")


# --- region search ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_region_search_by_code_prefix_and_name():
    assert [r.code for r in region_search(q="310115")] == ["310115"]
    by_prefix = [r.code for r in region_search(q="3101", limit=50)]
    assert by_prefix and all(code.startswith("3101") for code in by_prefix)
    assert "310115" in by_prefix
    by_name = list(region_search(q="浦东"))
    assert [r.code for r in by_name] == ["310115"]
    assert by_name[0].full_name == "上海市浦东新区"
    assert list(region_search(q="  ")) == []
    assert len(region_search(q="区", limit=5)) == 5


@pytest.mark.django_db
def test_region_autocomplete_endpoint(client):
    response = client.get(reverse("network:regions"), {"region": "浦东"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<option value="310115">上海市浦东新区（310115）</option>' in response.content.decode()
    assert client.get(reverse("network:regions"), {"q": ""}).content.decode().strip() == ""


# --- a centre's page --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_centre_page_shows_profile_parent_and_approved_children(client, tree):
    response = client.get(reverse("network:centre", args=["sh-pd"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "浦东新区维权援助分中心" in body
    assert reverse("network:centre", args=["sh"]) in body  # parent
    assert "张江科学城知识产权工作站" in body  # approved child
    assert "未备案工作站" not in body  # unfiled child stays hidden
    assert "修改机构信息" not in body and "备案记录" not in body  # public visitors see no edit or filing section


@pytest.mark.django_db
def test_unfiled_centre_is_404_to_the_public_and_other_centres(client, tree):
    url = reverse("network:centre", args=["sh-draft"])
    assert client.get(url).status_code == 404
    client.force_login(tree["zj_director"])
    assert client.get(url).status_code == 404
    client.force_login(tree["sh_handler"])  # staff of the grandparent, without a say on this filing
    assert client.get(url).status_code == 404
    assert client.get(reverse("network:centre", args=["no-such-centre"])).status_code == 404


@pytest.mark.django_db
def test_unfiled_centre_is_visible_to_its_staff_its_parent_director_and_supervisors(client, tree):
    url = reverse("network:centre", args=["sh-draft"])
    pudong_director = staff(tree["pudong"], Role.DIRECTOR)
    for user in (
        staff(tree["draft"], Role.INTAKE_OFFICER),
        pudong_director,
        tree["sh_supervisor"],
        tree["national_supervisor"],
    ):
        client.force_login(user)
        assert client.get(url).status_code == 200, user


# --- profile edit -----------------------------------------------------------------------------------------------


def profile_post(**overrides):
    data = {
        "name": "上海市知识产权维权援助中心",
        "name_en": "Shanghai IP Rights Protection Assistance Centre",
        "site": "",
        "address": "上海市黄浦区某路 100 号",
        "hours": "工作日 8:30-17:00",
        "phone": "021-12345678 转 801",
        "description": "为本市企业提供维权援助。",
        "ip_types": ["trademark", "invention"],
        "service_types": ["consultation", "infringement_opinion"],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_director_sees_and_uses_the_edit_form(client, network):
    client.force_login(network["sh_director"])
    page = client.get(reverse("network:centre", args=["sh"]))
    assert "修改机构信息" in page.content.decode()
    response = client.post(reverse("network:centre_edit", args=["sh"]), profile_post())
    assert response.status_code == 302
    centre = Centre.objects.get(code="sh")
    assert centre.address == "上海市黄浦区某路 100 号"
    assert centre.ip_types == ["trademark", "invention"]
    assert centre.service_types == ["consultation", "infringement_opinion"]
    assert AuditEvent.objects.filter(action="centre.update", object_id=str(centre.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sh_handler", "sh_intake", "zj_director", "sh_supervisor"])
def test_only_the_director_edits_the_profile(client, network, who):
    client.force_login(network[who])
    page = client.get(reverse("network:centre", args=["sh"]))
    assert "修改机构信息" not in page.content.decode()
    response = client.post(reverse("network:centre_edit", args=["sh"]), profile_post(address="篡改"))
    assert response.status_code == 403
    assert "只有本机构负责人可以修改机构信息" in response.content.decode()
    assert Centre.objects.get(code="sh").address != "篡改"


@pytest.mark.django_db
def test_profile_edit_of_an_unseen_centre_is_404_and_anonymous_must_log_in(client, tree):
    response = client.post(reverse("network:centre_edit", args=["sh-draft"]), profile_post())
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(tree["zj_director"])
    assert client.post(reverse("network:centre_edit", args=["sh-draft"]), profile_post()).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "call us"}, "电话"),
        ({"name": ""}, "名称"),
        ({"ip_types": []}, "请至少选择一种受理的知识产权类型"),
        ({"ip_types": ["patent"]}, "受理的知识产权类型"),
        ({"service_types": ["astrology"]}, "提供的服务类型"),
        ({"address": "路" * 201}, "地址"),
    ],
)
def test_bad_profile_input_names_the_field_and_changes_nothing(client, network, overrides, message):
    client.force_login(network["sh_director"])
    before = Centre.objects.get(code="sh")
    response = client.post(reverse("network:centre_edit", args=["sh"]), profile_post(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist"' in body and message in body
    after = Centre.objects.get(code="sh")
    assert (after.address, after.phone, after.ip_types, after.name) == (
        before.address,
        before.phone,
        before.ip_types,
        before.name,
    )
    assert not AuditEvent.objects.filter(action="centre.update").exists()
