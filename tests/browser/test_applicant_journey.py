"""End to end in Chromium: an applicant registers, files a trademark case with two evidence files, the intake
officer asks for more information, the applicant answers, the officer accepts and assigns, the handler concludes,
and the applicant reads the timeline and the result letter — in zh-hans and in English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tests.factories import PDF_BYTES, PNG_BYTES, CentreFactory, staff
from weiyuan.cases.models import Case, CaseState
from weiyuan.core.choices import Role
from weiyuan.notifications.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"
# A valid unified social credit code (GB 32100 check character).
CREDIT_CODE = "91310115MA1K4YXX1G"


def login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()[:2000]


def logout(page: Any) -> None:
    page.click("header form[action$='/accounts/logout/'] button")
    page.wait_for_load_state("networkidle")


def post_action_form(page: Any, action: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    """Open the action's form on the staff case page, fill it and confirm."""
    page.click(f"#action-{action} > summary")
    form = page.locator(f"#action-{action} form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    form.locator("button").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_applicant_journey(live_server: Any, page_factory: Any, tmp_path: Path, language: str) -> None:
    base = live_server.url
    shanghai = CentreFactory(code="sh", name="上海市知识产权维权援助中心", region_id="310000")
    officer = staff(shanghai, Role.INTAKE_OFFICER, email=f"intake-{language}@sh.test")
    handler = staff(shanghai, Role.HANDLER, email=f"handler-{language}@sh.test")
    email = f"applicant-{language}@company.test"

    page = page_factory(locale="zh-CN" if language == "zh-hans" else "en-US")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    # 1. Register as an organisation, then follow the verification link from the e-mail in the outbox.
    page.goto(f"{base}/accounts/register/?kind=organisation")
    assert page.locator("html").get_attribute("lang") == language
    page.fill("input[name=display_name]", "张经理")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "Weiyuan-Test-2026!")
    page.fill("input[name=password2]", "Weiyuan-Test-2026!")
    page.fill("input[name=region]", "310115")
    page.fill("input[name=organisation_name]", "上海示例科技有限公司")
    page.fill("input[name=credit_code]", CREDIT_CODE)
    page.check("input[name=consent]")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url, page.content()[:3000]
    mail = OutboxMessage.objects.get(recipient__email=email, channel="email")
    assert mail.url.startswith("/accounts/verify/"), mail.url
    page.goto(base + mail.url)
    login(page, base, email, "Weiyuan-Test-2026!")

    # 2. File a trademark infringement case with two evidence files.
    page.goto(f"{base}/cases/new/")
    page.check("input[name=service_type][value=infringement_opinion]")
    page.select_option("select[name=ip_type]", "trademark")
    page.fill("input[name=region]", "310115")
    page.click("#route-form button.btn")
    page.wait_for_selector("input[name=centre][value=sh]")
    page.check("input[name=centre][value=sh]")
    page.click("#proposal-form button.btn-primary")
    page.wait_for_selector("textarea[name=facts]")
    page.fill("input[name=title]", "网店销售仿冒「示例」商标的商品")
    page.fill("textarea[name=facts]", "被请求人在其网店销售标有与我司注册商标近似标识的同类商品，已经公证购买。")
    page.fill("textarea[name=request]", "请求出具侵权判定参考意见，并指导后续维权。")
    page.fill("input[name=respondent_name]", "某某电子商务有限公司")
    page.fill("input[name='rights-0-number']", "12345678")
    evidence_pdf = tmp_path / "purchase-notarisation.pdf"
    evidence_pdf.write_bytes(PDF_BYTES)
    evidence_png = tmp_path / "listing-screenshot.png"
    evidence_png.write_bytes(PNG_BYTES)
    page.set_input_files("input[name=evidence]", [str(evidence_pdf), str(evidence_png)])
    page.click("button[name=intent][value=submit]")
    page.wait_for_load_state("networkidle")
    match = re.search(r"/cases/(WY-\d{4}-\d{5}-\d{6})/", page.url)
    assert match, page.content()[:3000]
    tracking_number = match.group(1)
    case = Case.objects_unscoped.get(tracking_number=tracking_number)
    assert case.state == CaseState.SUBMITTED
    assert case.evidence_files.model.objects_unscoped.filter(case=case).count() == 2
    assert tracking_number in page.content()
    logout(page)

    # 3. The intake officer asks for more information.
    login(page, base, officer.email)
    page.goto(f"{base}/cases/{tracking_number}/")
    post_action_form(page, "request_info", {"request_text": "请补充商标注册证书复印件。"})
    case.refresh_from_db()
    assert case.state == CaseState.INFO_REQUESTED
    logout(page)

    # 4. The applicant answers.
    login(page, base, email, "Weiyuan-Test-2026!")
    page.goto(f"{base}/cases/{tracking_number}/")
    page.fill("#info-request textarea[name=answer_text]", "已补充商标注册证书。")
    page.click("#info-request button.btn-primary")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    logout(page)

    # 5. The officer accepts and assigns a handler.
    login(page, base, officer.email)
    page.goto(f"{base}/cases/{tracking_number}/")
    page.click("#actions button[data-action=accept]")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    post_action_form(page, "assign", {}, {"handler": str(handler.pk)})
    case.refresh_from_db()
    assert case.state == CaseState.ASSIGNED and case.handler_id == handler.pk
    logout(page)

    # 6. The handler starts and concludes with a result letter.
    login(page, base, handler.email)
    page.goto(f"{base}/cases/{tracking_number}/")
    page.click("#actions button[data-action=start]")
    page.wait_for_load_state("networkidle")
    post_action_form(
        page,
        "conclude",
        {"result_letter": "经比对，被请求人使用的标识与贵司注册商标构成近似，建议向市场监管部门投诉。"},
        {"outcome": "opinion_issued"},
    )
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    logout(page)

    # 7. The applicant sees every step on the timeline and reads the result letter.
    login(page, base, email, "Weiyuan-Test-2026!")
    page.goto(f"{base}/cases/{tracking_number}/")
    timeline = page.locator("#timeline li")
    assert timeline.count() >= 7  # create, submit, request info, answer, accept, assign, start, conclude
    heading = page.locator("#timeline h2").inner_text()
    assert heading == ("办理过程" if language == "zh-hans" else "Case history"), heading
    page.goto(f"{base}/cases/{tracking_number}/letter/")
    body = page.locator("body").inner_text()
    assert "建议向市场监管部门投诉" in body
    assert tracking_number in body
    with translation.override(language):
        assert page.locator("html").get_attribute("lang") == language
    page.screenshot(path=str(tmp_path / f"letter-{language}.png"), full_page=True)
