"""The expert pages and API: list, profile, forms, import with its report, export, the case's matching page and
its API; query counts that do not grow with the number of experts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api_support import api_client
from tests.experts_support import make_expert, read_rows, row, workbook
from tests.factories import ApplicantFactory, UserFactory, make_case
from weiyuan.accounts.models import Membership
from weiyuan.core.choices import Role
from weiyuan.experts.models import Expert, ExpertConflictOverride

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm up (a token's first use records last_used_at)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def many(network: dict[str, Any], n: int, **overrides: Any) -> None:
    for _ in range(n):
        make_expert(
            network["sh_director"],
            network["shanghai"],
            fields=["trademark_law", "copyright_law"],
            regions=["310000", "330000"],
            nice_classes=["25"],
            conflicts=[("某甲有限公司", "", "")],
            **overrides,
        )


@pytest.fixture
def case(network: dict[str, Any]) -> Any:
    return make_case(network["shanghai"], ApplicantFactory(), applicant_name="上海云澜智能科技有限公司")


def test_lists_and_matching_do_not_grow_with_the_number_of_experts(network: dict[str, Any], case: Any) -> None:
    staff = client_for(network["sh_handler"])
    api = api_client(network["sh_handler"])
    tn = case.tracking_number
    urls = {
        "list page": (staff, "/experts/?nice=25"),
        "api list": (api, "/api/v1/experts?nice=25&page_size=50"),
        "matching page": (staff, f"/cases/{tn}/experts/"),
        "matching api": (api, f"/api/v1/cases/{tn}/expert-candidates?nice=25"),
    }
    many(network, 3)
    small = {name: queries(client, url) for name, (client, url) in urls.items()}
    many(network, 12)
    large = {name: queries(client, url) for name, (client, url) in urls.items()}
    assert large == small, {name: (small[name], large[name]) for name in urls if small[name] != large[name]}


def test_api_list_query_count(network: dict[str, Any], django_assert_num_queries: Any) -> None:
    many(network, 5)
    api = api_client(network["sh_handler"])
    api.get("/api/v1/experts")
    # token + user, memberships, the field code's check, count, page, fields, regions
    with django_assert_num_queries(7):
        response = api.get("/api/v1/experts?field=trademark_law")
    body = response.json()
    assert body["count"] == 5 and len(body["items"]) == 5
    item = body["items"][0]
    assert {f["code"] for f in item["fields"]} == {"trademark_law", "copyright_law"}
    assert item["centre"]["code"] == "sh" and item["url"] == f"/experts/{item['id']}/"


def test_api_filters_and_bad_filters(network: dict[str, Any]) -> None:
    make_expert(network["sh_director"], network["shanghai"], name="甲", ipc_classes=["H04L"])
    api = api_client(network["zj_intake"])
    assert [e["name"] for e in api.get("/api/v1/experts?ipc=h04l").json()["items"]] == ["甲"]
    bad = api.get("/api/v1/experts?nice=46&ipc=X1&language=xx")
    assert bad.status_code == 422
    fields = {e["field"]: e["message"] for e in bad.json()["detail"]}
    assert fields["nice"] == "46 不是 1-45 之间的类别" and "ipc" in fields and "language" in fields


def test_api_detail_and_candidates(network: dict[str, Any], case: Any) -> None:
    d = network["sh_director"]
    clean = make_expert(d, network["shanghai"], name="干净", fields=["trademark_law"], nice_classes=["25"])
    make_expert(
        d, network["shanghai"], name="冲突", fields=["trademark_law"], organisation_name="上海云澜智能科技有限责任公司"
    )
    api = api_client(network["sh_handler"])
    detail = api.get(f"/api/v1/experts/{clean.pk}").json()
    assert detail["nice_classes"] == [25] and detail["version"] == 1 and detail["conflicts"] == []
    body = api.get(f"/api/v1/cases/{case.tracking_number}/expert-candidates?nice=25").json()
    assert body["criteria"]["nice_classes"] == [25] and "fields" in body["criteria"]["derived"]
    assert [c["expert"]["name"] for c in body["items"]] == ["干净"]
    assert {r["label"] for r in body["items"][0]["reasons"]} >= {"专业领域", "尼斯分类"}
    assert [c["expert"]["name"] for c in body["excluded"]] == ["冲突"]
    assert "名称相同" in body["excluded"][0]["conflicts"][0]
    bad = api.get(f"/api/v1/cases/{case.tracking_number}/expert-candidates?ipc=H04&languages=xx&region=31")
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["detail"]} == {"ipc", "languages", "region"}


def test_matching_page_and_director_override(network: dict[str, Any], case: Any) -> None:
    d = network["sh_director"]
    make_expert(d, network["shanghai"], name="干净专家", fields=["trademark_law"])
    conflicted = make_expert(
        d, network["shanghai"], name="冲突专家", fields=["trademark_law"], organisation_name="上海云澜智能科技有限公司"
    )
    handler = client_for(network["sh_handler"])
    page = handler.get(f"/cases/{case.tracking_number}/experts/").content.decode()
    assert "干净专家" in page and "因利益冲突排除" in page and "名称相同" in page
    assert "负责人豁免" not in page  # only the director is offered the override
    assert "匹配专家" in handler.get(f"/cases/{case.tracking_number}/").content.decode()
    bad = handler.get(f"/cases/{case.tracking_number}/experts/?given=1&nice=46")
    assert "46 不是 1-45 之间的类别" in bad.content.decode()

    director = client_for(d)
    url = f"/cases/{case.tracking_number}/experts/{conflicted.pk}/override/"
    form = director.get(url).content.decode()
    assert "名称相同" in form
    refused = director.post(url, {"reason": "可以"})
    assert refused.status_code == 200 and "豁免理由" in refused.content.decode()
    assert not ExpertConflictOverride.objects.exists()
    done = director.post(url, {"reason": "该专家已离职五年，与申请人无往来，不影响独立判断。"})
    assert done.status_code == 302
    page = director.get(f"/cases/{case.tracking_number}/experts/").content.decode()
    assert "利益冲突已豁免" in page and "因利益冲突排除" not in page


def test_profile_pages_create_edit_and_own_edit(network: dict[str, Any]) -> None:
    d = network["sh_director"]
    director = client_for(d)
    response = director.post(
        "/experts/new/",
        {
            "centre": "sh",
            "name": "网页新增",
            "organisation_name": "某研究院",
            "expertise": ["patent_law", "electronics"],
            "ipc_classes": "H04L; H04W",
            "nice_classes": "",
            "languages": ["zh"],
            "regions": "上海市",
            "availability": "available",
            "conflicts": "某某科技有限公司|" + "|曾任顾问",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    expert = Expert.objects_unscoped.get(name="网页新增")
    assert expert.ipc_classes == ["H04L", "H04W"] and [c.note for c in expert.conflicts.all()] == ["曾任顾问"]
    bad = director.post(
        f"/experts/{expert.pk}/edit/",
        {"name": "网页新增", "availability": "available", "nice_classes": "99", "version": "1"},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "99 不是 1-45 之间的类别" in body
    stale = director.post(f"/experts/{expert.pk}/edit/", {"name": "改名", "availability": "available", "version": "0"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()

    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT)
    mine = make_expert(d, network["shanghai"], name="本人", user_email=user.email)
    me = client_for(user)
    assert me.get("/experts/").url == f"/experts/{mine.pk}/"  # an expert's way in is their own profile
    form = me.get(f"/experts/{mine.pk}/edit/").content.decode()
    assert 'name="availability"' in form and 'name="fee_terms"' not in form
    saved = me.post(
        f"/experts/{mine.pk}/edit/", {"availability": "unavailable", "languages": ["zh", "en"], "version": "1"}
    )
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert (mine.availability, mine.languages) == ("unavailable", ["zh", "en"])
    assert me.get(f"/experts/{expert.pk}/").status_code == 404


def test_import_page_reports_errors_then_imports_valid_rows_and_export_downloads(network: dict[str, Any]) -> None:
    director = client_for(network["sh_director"])
    template = director.get("/experts/import/template.xlsx")
    assert template.status_code == 200 and read_rows(b"".join(template.streaming_content))[0][1] == "姓名"

    def upload(valid_only: bool) -> Any:
        data = workbook([row(姓名="甲", 所属单位="单位甲"), row(姓名="乙", 所属单位="单位乙", 尼斯分类="46")])
        data.name = "experts.xlsx"
        form = {"file": data, "centre": "sh"}
        if valid_only:
            form["valid_only"] = "on"
        return director.post("/experts/import/", form)

    first = upload(False).content.decode()
    assert "未导入任何内容" in first and "第 3 行，尼斯分类：46 不是 1-45 之间的类别" in first
    assert not Expert.objects_unscoped.exists()
    second = upload(True).content.decode()
    assert "新增 1 位" in second
    assert list(Expert.objects_unscoped.values_list("name", flat=True)) == ["甲"]

    export = director.get("/experts/export.xlsx")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    rows = read_rows(io.BytesIO(b"".join(export.streaming_content)))
    assert [r[1] for r in rows[1:]] == ["甲"]


def test_list_page_filters_and_names_a_bad_filter(network: dict[str, Any]) -> None:
    make_expert(network["sh_director"], network["shanghai"], name="商标专家", nice_classes=["25"])
    make_expert(network["sh_director"], network["shanghai"], name="专利专家", ipc_classes=["H04L"])
    page = client_for(network["zj_intake"]).get("/experts/?nice=25").content.decode()
    assert "商标专家" in page and "专利专家" not in page
    bad = client_for(network["zj_intake"]).get("/experts/?nice=46").content.decode()
    assert "46 不是 1-45 之间的类别" in bad and "商标专家" in bad and "专利专家" in bad
    assert client_for(network["zj_intake"]).get("/experts/new/").status_code == 403
