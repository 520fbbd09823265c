"""Funds pages and API: the report per centre and (supervisors) subtree with over-budget warnings, Excel and CSV
exports opened and checked, the spending form's bad input named per field, invoices checked by content and audited
on download, four eyes and approved entries on the web, and lists without N+1 (query counts)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tests.api_support import api_client
from tests.factories import pdf_upload, staff
from tests.funds_support import budget, entry, this_year
from weiyuan.audit.models import AuditEvent
from weiyuan.core.choices import Role
from weiyuan.funds import services
from weiyuan.funds.models import SpendingAttachment, SpendingEntry, SpendingState
from weiyuan.funds.services.common import today

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def approved(network: dict[str, Any], amount: str, centre: str = "shanghai", category: str = "training") -> Any:
    """An approved entry: recorded and submitted by the centre's handler, approved by its director."""
    prefix = "sh" if centre == "shanghai" else "pd"
    e = services.spending_create(
        centre=network[centre],
        actor=network[f"{prefix}_handler"],
        data=services.SpendingInput(category, amount, today(), "某公司", "培训费用支出", "超出部分已报批"),
    )
    e = services.spending_transition(entry=e, actor=network[f"{prefix}_handler"], action="submit")
    return services.spending_transition(entry=e, actor=network[f"{prefix}_director"], action="approve")


@pytest.fixture
def funds(network: dict[str, Any]) -> dict[str, Any]:
    network["pd_handler"] = staff(network["pudong"], Role.HANDLER)
    network["pd_director"] = staff(network["pudong"], Role.DIRECTOR)
    budget(network, training="10000", outreach="2000")
    budget(network, "pudong", training="3000")
    approved(network, "12000")  # over the training budget
    approved(network, "1500", centre="pudong")
    services.spending_transition(
        entry=entry(network, amount="1500", category="outreach"), actor=network["sh_handler"], action="submit"
    )
    return network


def test_report_for_a_centre_with_over_budget_warnings(funds: dict[str, Any]) -> None:
    page = login(funds["sh_director"]).get("/funds/").content.decode()
    assert "12,000.00" in page and "-2,000.00" in page
    assert "超出预算" in page and "1 个类别超出或即将超出预算。" in page  # training: 12,000 of 10,000
    # The director's report is the centre's own (the sub-centre's 3,000 budget is not in it); no subtree.
    assert "13,000.00" not in page
    response = login(funds["sh_director"]).get("/funds/?subtree=1")
    assert response.status_code == 400 and "仅供监督人员" in response.content.decode()


def test_supervisor_sees_the_subtree_and_a_centre_outside_it_is_unknown(funds: dict[str, Any]) -> None:
    client = login(funds["sh_supervisor"])
    page = client.get(f"/funds/?centre=sh&subtree=1&year_from={this_year()}&year_to={this_year()}").content.decode()
    assert "13,000.00" in page  # training budget 10,000 + Pudong 3,000
    assert "13,500.00" in page  # approved 12,000 + 1,500
    response = client.get("/funds/?centre=zj")
    assert response.status_code == 400 and "找不到该机构" in response.content.decode()
    assert login(funds["zj_director"]).get(f"/funds/centres/sh/{this_year()}/").status_code == 404


def test_report_exports_open_and_match(funds: dict[str, Any]) -> None:
    client = login(funds["sh_supervisor"])
    response = client.get("/funds/export/?centre=sh&subtree=1&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("年度", "类别", "预算（元）")
    training = next(r for r in rows if r[1] == "培训")
    assert training[0] == this_year() and Decimal(str(training[2])) == 13000 and Decimal(str(training[3])) == 13500
    assert training[6] == "是"
    response = client.get("/funds/export/?centre=sh&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "年度", parsed
    assert any(r[1] == "宣传推广" and r[4] == "1500.00" for r in parsed), parsed
    assert client.get("/funds/export/?format=pdf").status_code == 400


def test_spending_export_streams_every_visible_entry(funds: dict[str, Any]) -> None:
    response = login(funds["sh_director"]).get("/funds/spending/export/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    # The director sees the own centre and the level below (Pudong): three entries.
    assert len(rows) == 4 and rows[0][0] == "编号"
    response = login(funds["zj_director"]).get("/funds/spending/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1


def test_spending_form_names_bad_fields_and_asks_for_the_over_budget_reason(funds: dict[str, Any]) -> None:
    client = login(funds["sh_handler"])
    bad = {"centre": "sh", "category": "travel", "amount": "-1", "spent_on": "", "payee": "", "description": ""}
    response = client.post("/funds/spending/new/", bad)
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("未知的经费类别", "金额不能为负数", "请填写支出日期", "请填写此项"):
        assert message in page
    over = {
        "centre": "sh",
        "category": "training",
        "amount": "100.00",
        "spent_on": today().isoformat(),
        "payee": "某酒店",
        "description": "培训会务费",
    }
    response = client.post("/funds/spending/new/", over)
    assert response.status_code == 400 and 'id="field-over_budget_reason"' in response.content.decode()
    assert "请填写超预算说明" in response.content.decode()
    response = client.post("/funds/spending/new/", {**over, "amount": "100.001", "over_budget_reason": "追加"})
    assert "金额最多保留两位小数" in response.content.decode()
    response = client.post("/funds/spending/new/", {**over, "over_budget_reason": "临时增加一期培训，已请示。"})
    assert response.status_code == 302
    created = SpendingEntry.objects.get(payee="某酒店")
    assert created.over_budget and created.state == SpendingState.DRAFT
    # Supervisors record nothing.
    assert login(funds["sh_supervisor"]).get("/funds/spending/new/").status_code == 403


def test_four_eyes_and_approved_entries_on_the_web(funds: dict[str, Any]) -> None:
    director = login(funds["sh_director"])
    own = entry(funds, actor="sh_director", amount="10", category="outreach", reason="宣传册加印，已报批")
    director.post(f"/funds/spending/{own.pk}/submit/")
    response = director.post(f"/funds/spending/{own.pk}/approve/")
    assert response.status_code == 409 and "四眼原则" in response.content.decode()
    done = SpendingEntry.objects.filter(state=SpendingState.APPROVED, centre=funds["shanghai"]).first()
    assert done is not None
    assert director.get(f"/funds/spending/{done.pk}/edit/").status_code == 409
    page = director.get(f"/funds/spending/{done.pk}/").content.decode()
    assert "作废" in page and "修改" not in page.split('id="attachments"')[0].split("</dl>")[1]
    assert director.post(f"/funds/spending/{done.pk}/void/", {"text": ""}).status_code == 400


def test_invoices_are_checked_by_content_and_downloads_audited(funds: dict[str, Any]) -> None:
    e = entry(funds, amount="10", category="outreach", reason="宣传册加印，已报批")
    client = login(funds["sh_handler"])
    fake = SimpleUploadedFile("发票.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(f"/funds/spending/{e.pk}/attachments/", {"file": fake})
    assert response.status_code == 400 and "不是允许的类型" in response.content.decode()
    response = client.post(f"/funds/spending/{e.pk}/attachments/", {"file": pdf_upload("增值税发票.pdf")})
    assert response.status_code == 302
    attachment = SpendingAttachment.objects.get(entry=e)
    assert len(attachment.sha256) == 64 and attachment.content_type == "application/pdf"
    response = login(funds["sh_supervisor"]).get(f"/funds/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="funds.attachment.download").count() == 1
    assert login(funds["zj_director"]).get(f"/funds/attachments/{attachment.pk}/").status_code == 404


def _many(network: dict[str, Any], n: int) -> None:
    for i in range(n):
        entry(network, amount=f"{i + 1}", category="other", reason="本年度未列该类预算")


def test_lists_have_a_constant_number_of_queries(network: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    _many(network, 5)
    client = login(network["sh_supervisor"])
    api = api_client(network["sh_supervisor"])
    with django_assert_max_num_queries(12):
        assert client.get("/funds/spending/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/funds/spending?page_size=50").status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/funds/budgets").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/funds/?subtree=1").status_code == 200
    _many(network, 30)
    with django_assert_max_num_queries(12):
        assert client.get("/funds/spending/").status_code == 200
    with django_assert_max_num_queries(10):
        body = api.get("/api/v1/funds/spending?page_size=50").json()
    assert body["count"] == 35 and len(body["items"]) == 35


def test_api_scope_and_bad_filters(funds: dict[str, Any]) -> None:
    body = api_client(funds["sh_director"]).get("/api/v1/funds/budgets").json()
    assert [b["centre"]["code"] for b in body["items"]] == ["sh", "sh-pd"]
    training = next(c for c in body["items"][0]["categories"] if c["category"] == "training")
    assert Decimal(training["remaining_yuan"]) == Decimal("-2000") and training["over_budget"] is True
    body = api_client(funds["sh_supervisor"]).get("/api/v1/funds/report?subtree=1").json()
    assert body["subtree"] is True
    response = api_client(funds["sh_director"]).get("/api/v1/funds/report?subtree=1")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "subtree"
    response = api_client(funds["sh_director"]).get("/api/v1/funds/spending?category=travel&centre=zj")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"category", "centre"}
    assert api_client(funds["zj_director"]).get("/api/v1/funds/budgets?centre=sh").status_code == 422
    assert api_client(funds["sh_handler"]).get("/api/v1/funds/spending").json()["count"] == 2
