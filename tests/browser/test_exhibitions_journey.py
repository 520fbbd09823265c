"""End to end in Chromium (issue #6): at a fair station the handler files a complaint from the live board (right,
certificate, booth number, a photo taken on site), serves the notice and records the respondent's paper defence;
the expert on duty finds the exhibit infringing and orders it removed; the handler confirms the measure with a
photo and the signer's name, and the board shows nothing left open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.exhibitions_support import fair_world
from tests.factories import PDF_BYTES, PNG_BYTES
from weiyuan.exhibitions.models import Complaint, ComplaintState, MeasureState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"


def login(page: Any, base: str, user: Any) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()[:2000]


def test_complaint_at_a_fair_station_to_the_measure_confirmation(
    live_server: Any, page_factory: Any, network: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    w = fair_world(network)
    base, station = live_server.url, w["station"]
    certificate, photo = tmp_path / "专利证书.pdf", tmp_path / "展台.png"
    certificate.write_bytes(PDF_BYTES)
    photo.write_bytes(PNG_BYTES)
    today = timezone.localdate()
    page = page_factory()

    login(page, base, w["sh_handler"])
    page.goto(f"{base}/exhibitions/")
    page.click(f"a[href='/exhibitions/{w['event'].pk}/']")
    page.click(f"a[href='/exhibitions/stations/{station.pk}/board/']")
    page.click(f"a[href='/exhibitions/stations/{station.pk}/complaints/new/']")
    page.fill("input[name=complainant]", "上海飞科电器股份有限公司")
    page.select_option("select[name=right_type]", "design")
    page.fill("input[name=right_number]", "ZL202130123456.7")
    page.fill("input[name=right_owner]", "上海飞科电器股份有限公司")
    page.fill("input[name=right_valid_from]", (today - dt.timedelta(days=400)).isoformat())
    page.fill("input[name=right_valid_until]", (today + dt.timedelta(days=3000)).isoformat())
    page.set_input_files("input[name=certificate]", str(certificate))
    page.fill("input[name=respondent]", "1a01")
    page.fill("textarea[name=exhibits]", "展台正面陈列的 F-100 型电吹风")
    page.set_input_files("input[name=photos]", str(photo))
    page.click("#complaint-form button.btn-primary")
    page.wait_for_load_state("networkidle")
    complaint = Complaint.objects.get()
    assert page.url.endswith(f"/exhibitions/complaints/{complaint.pk}/"), page.content()[:2000]

    page.click("#serve button")
    page.wait_for_load_state("networkidle")
    assert "fair_respondent_defence" in page.locator("#defence-clock").inner_text()
    page.fill("#defend textarea[name=defence]", "我方产品为自主设计，外观不同。")
    page.click("#defend button")
    page.wait_for_load_state("networkidle")
    assert page.locator("#complaint-state").inner_text() == "已答辩"

    login(page, base, w["expert"])
    page.goto(f"{base}/exhibitions/complaints/{complaint.pk}/")
    page.fill("#decide textarea[name=reason]", "整体视觉效果无实质性差异，构成近似外观设计。")
    page.check("#decide input[name=measures][value=remove]")
    page.click("#decide button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert page.locator("#complaint-state").inner_text() == "认定侵权，待落实措施"

    login(page, base, w["sh_handler"])
    page.goto(f"{base}/exhibitions/stations/{station.pk}/board/")
    assert page.locator("#count-measures").inner_text() == "1"
    page.goto(f"{base}/exhibitions/complaints/{complaint.pk}/")
    page.set_input_files("#confirm input[name=photo]", str(photo))
    page.fill("#confirm input[name=signer]", "张三")
    page.click("#confirm button")
    page.wait_for_load_state("networkidle")
    assert page.locator("#complaint-state").inner_text() == "措施已落实"
    assert "张三" in page.locator("#measures").inner_text()
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.COMPLIED
    assert complaint.measures.get().state == MeasureState.CONFIRMED
    page.goto(f"{base}/exhibitions/stations/{station.pk}/board/")
    assert page.locator("#count-open").inner_text() == "0"
