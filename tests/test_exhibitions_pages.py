"""Exhibitions pages: recording an event, importing exhibitors (per-row errors, nothing saved), the duty roster,
filing a complaint at the station (bad input named by field), the complaint page's actions and printable notice,
and the live board (time left, measures due, a constant number of queries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.exhibitions_support import CSV, fair_world, file_complaint
from tests.factories import pdf_upload, png_upload
from weiyuan.exhibitions import complaint_services as cs
from weiyuan.exhibitions.models import Complaint, ComplaintState, Event

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return fair_world(network)


def test_record_an_event_and_import_its_exhibitors(network: dict[str, Any]) -> None:
    client = client_of(network["sh_handler"])
    today = timezone.localdate()
    response = client.post(
        reverse("exhibitions:new"),
        {
            "centre": network["shanghai"].pk,
            "name": "上海国际家电博览会",
            "venue": "上海新国际博览中心",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=3)).isoformat(),
            "organiser": "中国家用电器协会",
            "defence_hours": "24",
            "phases": f"第一期, {today.isoformat()}, {today.isoformat()}",
            "location": "E1 馆服务台",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(name="上海国际家电博览会")
    assert event.phases == [{"name": "第一期", "starts_on": today.isoformat(), "ends_on": today.isoformat()}]
    url = reverse("exhibitions:import", args=[event.pk])
    wrong = SimpleUploadedFile("list.csv", "公司,摊位\n甲,1\n".encode())
    response = client.post(url, {"file": wrong})
    page = response.content.decode()
    assert response.status_code == 400 and "缺少必填列「展位号」" in page and "未知的列「公司」" in page
    assert event.exhibitors.count() == 0
    response = client.post(url, {"file": SimpleUploadedFile("list.csv", CSV.encode())})
    assert response.status_code == 302
    assert event.exhibitors.count() == 3
    page = client.get(reverse("exhibitions:detail", args=[event.pk])).content.decode()
    assert "1A02" in page and "United States" in page
    station = event.stations.get()
    response = client.post(
        reverse("exhibitions:duty", args=[station.pk]),
        {"day": today.isoformat(), "email": network["sh_intake"].email, "kind": "staff"},
    )
    assert response.status_code == 302 and station.duties.count() == 1
    response = client.post(
        reverse("exhibitions:duty", args=[station.pk]),
        {"day": "2000-01-01", "email": "nobody@example.com", "kind": "staff"},
    )
    assert response.status_code == 400


def complaint_post(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "complainant": "上海飞科电器股份有限公司",
        "right_type": "design",
        "right_number": "ZL202130123456.7",
        "right_owner": "上海飞科电器股份有限公司",
        "right_valid_from": (today - dt.timedelta(days=400)).isoformat(),
        "right_valid_until": (today + dt.timedelta(days=3000)).isoformat(),
        "respondent": "1A01",
        "exhibits": "F-100 电吹风",
        "certificate": pdf_upload("证书.pdf"),
        "photos": [png_upload("现场.png")],
    }
    data.update(overrides)
    return data


def test_filing_refuses_bad_input_naming_the_field(w: dict[str, Any]) -> None:
    client = client_of(w["sh_handler"])
    url = reverse("exhibitions:complaint_new", args=[w["station"].pk])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, complaint_post(right_valid_from="2010-01-01", right_valid_until=yesterday))
    page = response.content.decode()
    assert response.status_code == 400 and "届满失效" in page and "权利有效期至" in page
    response = client.post(url, complaint_post(respondent="9Z99"))
    assert response.status_code == 400 and "「9Z99」不在本展会的参展商名录中" in response.content.decode()
    assert not Complaint.objects.exists()
    response = client.post(url, complaint_post())
    assert response.status_code == 302
    assert Complaint.objects.get().respondent.booth == "1A01"


def test_the_complaint_page_serves_prints_and_refuses_a_late_defence(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    staff = client_of(w["sh_handler"])
    page = staff.get(reverse("exhibitions:complaint", args=[complaint.pk])).content.decode()
    assert 'id="serve"' in page
    response = staff.post(reverse("exhibitions:complaint_act", args=[complaint.pk, "serve"]))
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.SERVED and complaint.defence_due_at is not None
    notice = staff.get(reverse("exhibitions:complaint_notice", args=[complaint.pk])).content.decode()
    assert "展会知识产权侵权投诉通知书" in notice and "1A01" in notice
    respondent = client_of(w["respondent"])
    assert 'id="defend"' in respondent.get(reverse("exhibitions:complaint", args=[complaint.pk])).content.decode()
    Complaint.objects.filter(pk=complaint.pk).update(defence_due_at=timezone.now() - dt.timedelta(minutes=1))
    response = respondent.post(
        reverse("exhibitions:complaint_act", args=[complaint.pk, "defend"]), {"defence": "迟到。"}
    )
    assert response.status_code == 409 and "fair_respondent_defence" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.SERVED and complaint.defence == ""
    # the expert on duty decides once the clock has run out
    expert = client_of(w["expert"])
    response = expert.post(
        reverse("exhibitions:complaint_act", args=[complaint.pk, "decide_infringing"]),
        {"reason": "整体视觉效果相同。", "measures": ["remove", "cover"], "exhibit": "F-100 电吹风"},
    )
    assert response.status_code == 302
    response = staff.post(
        reverse("exhibitions:complaint_act", args=[complaint.pk, "confirm_measures"]), {"signer": "张三"}
    )
    assert response.status_code == 400 and "措施落实后的现场照片" in response.content.decode()
    response = staff.post(
        reverse("exhibitions:complaint_act", args=[complaint.pk, "confirm_measures"]),
        {"signer": "张三", "photo": png_upload("撤展.png")},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.COMPLIED


def test_the_live_board_shows_clocks_and_measures_with_constant_queries(
    w: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_of(w["sh_handler"])
    url = reverse("exhibitions:board", args=[w["station"].pk])
    served_at = timezone.now()

    def add(n: int) -> None:
        for _ in range(n):
            complaint = cs.complaint_serve(complaint=file_complaint(w), actor=w["sh_handler"], now=served_at)
        cs.complaint_decide(
            complaint=complaint,
            actor=w["expert"],
            outcome="infringing",
            reason="相同。",
            measures=[("cover", "电吹风")],
            now=served_at + dt.timedelta(hours=25),
        )

    add(3)
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(14) as few:
        page = client.get(url).content.decode()
    assert "剩余 23 小时" in page and 'id="count-measures">1<' in page and 'id="count-clocks">2<' in page
    add(23)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert 'id="count-open">26<' in page
    assert "?page=2" in page  # paginated
