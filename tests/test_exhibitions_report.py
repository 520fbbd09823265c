"""The report after the fair (counts by IP type, outcome, country, industry; measures and refusals; repeat
respondents; median times in hours) in a fixed number of queries, its page, PDF and Excel; and the rights holder's
online complaint (bad input named by field, an event already over, the complainant's own complaint page only)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.exhibitions_support import cst, fair_world, file_complaint
from tests.factories import ApplicantFactory, pdf_upload, png_upload
from tests.pdf_support import pdf_text
from weiyuan.exhibitions import complaint_services as cs
from weiyuan.exhibitions.models import Complaint, ComplaintState
from weiyuan.exhibitions.report import event_report

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return fair_world(network)


def _complied(w: dict[str, Any], t0: dt.datetime, **overrides: Any) -> Complaint:
    """Filed at t0, served 1 h later, decided infringing 3 h after serving, measures confirmed 2 h later."""
    c = file_complaint(w, now=t0, **overrides)
    c = cs.complaint_serve(complaint=c, actor=w["sh_handler"], now=t0 + dt.timedelta(hours=1))
    c = cs.complaint_defend(complaint=c, actor=w["respondent"], text="不侵权", now=t0 + dt.timedelta(hours=2))
    c = cs.complaint_decide(
        complaint=c,
        actor=w["expert"],
        outcome="infringing",
        reason="外观近似",
        measures=[("remove", "电吹风"), ("cover", "海报")],
        now=t0 + dt.timedelta(hours=4),
    )
    return cs.complaint_confirm_measures(
        complaint=c, actor=w["sh_handler"], photo=png_upload("撤下.png"), signer="张三", now=t0 + dt.timedelta(hours=6)
    )


@pytest.fixture
def reported(w: dict[str, Any]) -> dict[str, Any]:
    """Five complaints: two complied (1A01, design and trademark), one refused (1A01), one not infringing (1A02,
    United States), one withdrawn (1A03); plus one open (1A03)."""
    t0 = cst(*timezone.localdate().timetuple()[:3], 8)  # all steps today, when the expert is on duty
    _complied(w, t0)
    _complied(w, t0, right_type="trademark", right_number="12345678")
    c = file_complaint(w, now=t0)
    c = cs.complaint_serve(complaint=c, actor=w["sh_handler"], now=t0 + dt.timedelta(hours=2))
    c = cs.complaint_defend(complaint=c, actor=w["respondent"], text="不侵权", now=t0 + dt.timedelta(hours=3))
    c = cs.complaint_decide(
        complaint=c,
        actor=w["expert"],
        outcome="infringing",
        reason="近似",
        measures=[("withdraw_promotion", "宣传册")],
        now=t0 + dt.timedelta(hours=9),
    )
    cs.complaint_record_refusal(complaint=c, actor=w["sh_handler"], note="拒绝撤下", now=t0 + dt.timedelta(hours=10))
    c = file_complaint(w, now=t0, respondent="1A02")
    c = cs.complaint_serve(complaint=c, actor=w["sh_handler"], now=t0 + dt.timedelta(hours=3))
    c = cs.complaint_defend(complaint=c, actor=w["sh_handler"], text="书面答辩", now=t0 + dt.timedelta(hours=4))
    cs.complaint_decide(
        complaint=c, actor=w["expert"], outcome="not_infringing", reason="不近似", now=t0 + dt.timedelta(hours=11)
    )
    c = file_complaint(w, now=t0, respondent="1A03")
    cs.complaint_withdraw(complaint=c, actor=w["sh_handler"], reason="和解", now=t0 + dt.timedelta(hours=1))
    file_complaint(w, now=t0, respondent="1A03")
    return w


def test_the_report_counts_and_medians_in_a_fixed_number_of_queries(
    reported: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        report = event_report(event=reported["event"])
    assert report.total == 6
    assert report.by_ip_type == [("外观设计", 5), ("商标", 1)]
    assert dict(report.by_outcome) == {
        "认定侵权": 3,
        "认定不侵权": 1,
        "无法判定，已移交": 0,
        "已撤回": 1,
        "尚未办结": 1,
    }
    assert dict(report.by_country) == {"中国": 5, "United States": 1}
    # GB/T 4754-2017 sections of the respondents (1A01 C, 1A02 F, 1A03 listed without one), "not given" last.
    assert report.by_industry == [("C 制造业", 3), ("F 批发和零售业", 1), ("未填写", 2)]
    measures = {label: (confirmed, refused, due) for label, confirmed, refused, due in report.measures}
    assert measures == {"撤下展品": (2, 0, 0), "遮盖": (2, 0, 0), "撤回宣传资料": (0, 1, 0)}
    assert report.refusals == 1
    repeats = {r.booth: r.here for r in report.repeats}
    assert repeats == {"1A01": 3, "1A03": 2}
    medians = {label: (hours, n) for label, hours, n in report.medians}
    # served after 1, 1, 2, 3 h -> 1.5; decided 3, 3, 7, 8 h after serving -> 5.0; confirmed 2 h after the finding
    assert medians == {
        "受理至送达被投诉人": (1.5, 4),
        "送达至作出判定": (5.0, 4),
        "判定至确认措施落实": (2.0, 2),
    }


def test_the_query_count_does_not_grow_with_the_complaints(
    reported: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        file_complaint(reported, respondent="1A02")
    with django_assert_max_num_queries(2):
        assert event_report(event=reported["event"]).total == 11


def test_an_event_without_complaints_reports_zeros(w: dict[str, Any]) -> None:
    report = event_report(event=w["event"])
    assert report.total == 0 and report.repeats == [] and report.refusals == 0
    assert all(hours is None and n == 0 for _, hours, n in report.medians)


def test_a_respondent_complained_of_at_an_earlier_fair_is_listed(network: dict[str, Any]) -> None:
    today = timezone.localdate()
    earlier = fair_world(network, starts_on=today - dt.timedelta(days=30), name="上届展会")
    complaint = file_complaint(earlier, now=timezone.now() - dt.timedelta(days=29))
    assert complaint.respondent.booth == "1A01"
    later = fair_world(network, name="本届展会")
    file_complaint(later)
    report = event_report(event=later["event"])
    assert [(r.booth, r.here, r.earlier) for r in report.repeats] == [("1A01", 1, 1)]


def test_the_report_page_pdf_and_excel(reported: dict[str, Any]) -> None:
    event = reported["event"]
    client = client_of(reported["sh_supervisor"])
    page = client.get(reverse("exhibitions:report", args=[event.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "展会报告" in html and 'id="report-total">6<' in html and "United States" in html
    assert "按被投诉人行业门类" in html and "C 制造业" in html and "不按行业统计" not in html
    detail = client.get(reverse("exhibitions:detail", args=[event.pk])).content.decode()
    assert reverse("exhibitions:report", args=[event.pk]) in detail

    response = client.get(reverse("exhibitions:report_pdf", args=[event.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for figure in (
        "展会报告",
        event.name,
        "外观设计5",
        "商标1",
        "投诉总数：6",
        "认定侵权",
        "UnitedStates1",
        "C制造业3",
        "F批发和零售业1",
        "1A01",
        "受理至送达被投诉人1.54",
        "送达至作出判定5.04",
    ):
        assert figure in text.replace(" ", ""), figure

    response = client.get(reverse("exhibitions:report_xlsx", args=[event.pk]))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("分类", "项目", "数量")
    assert ("投诉总数", None, 6) in rows or ("投诉总数", "", 6) in rows
    assert ("按被投诉人行业门类", "C 制造业", 3) in rows and ("按被投诉人行业门类", "未填写", 2) in rows
    assert ("按处理结果", "认定侵权", 3) in rows
    assert ("按被投诉人国家或地区", "United States", 1) in rows
    assert ("拒不配合（已告知主办方）", None, 1) in rows or ("拒不配合（已告知主办方）", "", 1) in rows
    assert any(r[0] == "中位时长（小时）" and r[2] == 1.5 for r in rows)


def test_the_report_is_hidden_from_other_centres_and_applicants(reported: dict[str, Any]) -> None:
    url = reverse("exhibitions:report_xlsx", args=[reported["event"].pk])
    assert client_of(reported["zj_intake"]).get(url).status_code == 404
    assert client_of(reported["respondent"]).get(url).status_code == 404


# The online complaint ------------------------------------------------------------------------------------------


def _online_post(w: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "complainant": "上海飞科电器股份有限公司",
        "right_type": "design",
        "right_number": "ZL202130123456.7",
        "right_owner": "上海飞科电器股份有限公司",
        "right_valid_from": (today - dt.timedelta(days=400)).isoformat(),
        "right_valid_until": (today + dt.timedelta(days=3000)).isoformat(),
        "respondent": "1a01",
        "exhibits": "F-100 型电吹风",
        "certificate": pdf_upload("证书.pdf"),
        "photos": [png_upload("展台.png")],
    }
    data.update(overrides)
    return data


def test_a_rights_holder_files_online_and_sees_only_its_own_complaint(w: dict[str, Any]) -> None:
    holder = ApplicantFactory()
    client = client_of(holder)
    listing = client.get(reverse("exhibitions:online")).content.decode()
    assert w["event"].name in listing
    url = reverse("exhibitions:online_complaint", args=[w["event"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _online_post(w))
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get()
    assert complaint.complainant_account == holder and complaint.respondent.booth == "1A01"
    assert complaint.state == ComplaintState.FILED and complaint.files.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and complaint.number in page.content.decode()
    assert complaint.number in client.get(reverse("exhibitions:online")).content.decode()
    other = client_of(ApplicantFactory())
    assert other.get(reverse("exhibitions:complaint", args=[complaint.pk])).status_code == 404
    assert complaint.number not in other.get(reverse("exhibitions:online")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"right_valid_until": "2020-01-01", "right_valid_from": "2010-01-01"}, "已于 2020-01-01 届满失效"),
        ({"respondent": "9Z99"}, "展位号或名称「9Z99」不在本展会的参展商名录中"),
        ({"right_owner": "别人公司"}, "与投诉人「上海飞科电器股份有限公司」不一致"),
        ({"certificate": ""}, "权利证书"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(w: dict[str, Any], overrides: Any, field_message: str) -> None:
    client = client_of(ApplicantFactory())
    data = _online_post(w, **overrides)
    if data["certificate"] == "":
        del data["certificate"]
    response = client.post(reverse("exhibitions:online_complaint", args=[w["event"].pk]), data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_event_already_over_takes_no_online_complaint(network: dict[str, Any]) -> None:
    w = fair_world(network, starts_on=timezone.localdate() - dt.timedelta(days=10), days=3)
    client = client_of(ApplicantFactory())
    url = reverse("exhibitions:online_complaint", args=[w["event"].pk])
    for response in (client.get(url), client.post(url, _online_post(w))):
        assert response.status_code == 403
        assert f"展会已于 {w['event'].ends_on} 结束" in response.content.decode()
    assert not Complaint.objects.exists()
    assert w["event"].name not in client.get(reverse("exhibitions:online")).content.decode()


def test_staff_do_not_file_online(w: dict[str, Any]) -> None:
    client = client_of(w["sh_handler"])
    assert client.get(reverse("exhibitions:online_complaint", args=[w["event"].pk])).status_code == 404
    assert client.get(reverse("exhibitions:online")).status_code == 403
