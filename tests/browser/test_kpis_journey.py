"""End to end in Chromium (issue #7): the national supervisor opens the statistics, sees the national summary with
its charts drawn, drills down to a province, to a centre below it and to the cases behind a figure, and downloads
the province's table of the level below as Excel, which opens and holds the figures shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.kpis_support import build_march
from weiyuan.kpis.services import kpi_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"


def test_supervisor_drills_from_the_nation_to_the_cases_and_exports(
    live_server: Any, page_factory: Any, network: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    cases = build_march(network)
    kpi_rebuild()
    base = live_server.url
    page = page_factory()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", network["national_supervisor"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.click("nav.mainnav a[href='/kpis/']")
    page.wait_for_load_state("networkidle")
    assert "全国汇总" in page.locator("h1").inner_text()
    page.select_option("#kpi-filters select[name=period]", "2026-Q1")
    page.click("#kpi-filters button")
    page.wait_for_load_state("networkidle")
    assert page.locator("#kpi-applications .kpi-value").inner_text() == "7"
    page.wait_for_selector("[data-chart=monthly][data-chart-ready='1'] svg")
    page.wait_for_selector("[data-chart=children][data-chart-ready='1'] svg")

    page.click("#children a[href^='/kpis/c/sh/']")
    page.wait_for_load_state("networkidle")
    assert "上海市知识产权维权援助中心" in page.locator("h1").inner_text()
    assert page.locator("#kpi-applications .kpi-value").inner_text() == "6"
    assert page.locator("#kpi-acceptance_rate .kpi-value").inner_text() == "80.0%"

    with page.expect_download() as download_info:
        page.click("#children a[href*='/export/children.xlsx']")
    saved = tmp_path / "children.xlsx"
    download_info.value.save_as(saved)
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("机构代码", "机构", "申请数")
    assert rows[1][:3] == ("sh-pd", "浦东新区维权援助分中心", 1)

    page.click("#children a[href^='/kpis/c/sh-pd/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("#kpi-accept_days_median .kpi-value").inner_text() == "1"
    page.click("#kpi-concluded .kpi-value a")
    page.wait_for_load_state("networkidle")
    table = page.locator("#drill-cases").inner_text()
    assert cases["c6"].tracking_number in table and cases["c1"].tracking_number not in table
    page.click(f"#drill-cases a:text('{cases['c6'].tracking_number}')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/cases/{cases['c6'].tracking_number}/")
