"""End to end in Chromium: the handler invites an expert to a patent case; the expert signs the confidentiality
undertaking and accepts, opens the task, drafts an opinion, pastes the claims and compares each feature, cites the
Patent Law and submits; the handler reviews; the director signs (the letter is generated); the applicant downloads
the letter from the case page and its text is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.experts_support import make_expert
from tests.opinions_support import CLAIMS, opinion_world
from tests.pdf_support import pdf_text
from weiyuan.cases.models import CaseAssignment
from weiyuan.experts import invitations
from weiyuan.experts.models import InvitationState
from weiyuan.opinions.models import Opinion

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


def test_expert_drafts_director_signs_applicant_downloads(
    live_server: Any, page_factory: Any, network: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    w = opinion_world(network)
    base, tn = live_server.url, w["case"].tracking_number
    page = page_factory()

    # The handler invites the expert (matched from the expert database); the task opens only on acceptance.
    CaseAssignment.objects.filter(case=w["case"], user=w["expert"]).delete()
    profile = make_expert(w["sh_director"], w["shanghai"], name="钱立衡", user_email=w["expert"].email)
    invitation = invitations.invitation_create(
        case=w["case"], expert=profile, actor=w["sh_handler"], task="就折叠车架的技术特征比对出具参考意见"
    )

    # The expert signs the undertaking, accepts, and drafts from the task page.
    login(page, base, w["expert"])
    page.goto(f"{base}/experts/invitations/")
    page.click(f"a[href='/experts/invitations/{invitation.pk}/']")
    page.check("input[name=agree]")
    page.click("form[action$='/undertake/'] button.btn-primary")
    page.wait_for_load_state("networkidle")
    page.click("form[action$='/accept/'] button.btn-primary")
    page.wait_for_load_state("networkidle")
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED
    task = CaseAssignment.objects.get(case=w["case"], user=w["expert"], ended_at__isnull=True)
    page.goto(f"{base}/experts/tasks/{task.pk}/")
    assert "就折叠车架的技术特征比对出具参考意见" in page.locator("main").inner_text()
    page.click(f"a[href='/cases/{tn}/opinions/']")
    page.wait_for_load_state("networkidle")
    page.click("text=起草参考意见")
    page.fill("textarea[name=accused_object]", "骑迹牌 Q3 折叠电动车车架（公证购买）")
    page.click("main form button.btn-primary")
    page.wait_for_load_state("networkidle")
    opinion = Opinion.objects_unscoped.get(case=w["case"])
    assert page.url.endswith(f"/opinions/{opinion.pk}/chart/")

    page.fill("textarea[name=claims_text]", CLAIMS)
    page.click("#import button")
    page.wait_for_load_state("networkidle")
    forms = page.locator("form.feature[id^=feature-]")
    count = forms.count()
    assert count >= 7
    for i in range(count):
        form = page.locator("form.feature[id^=feature-]").nth(i)
        text = form.locator("textarea[name=text]").input_value()
        form.locator("textarea[name=accused_text]").fill(f"被诉产品同样{text}")
        form.locator("select[name=comparison]").select_option("identical")
        form.locator("button", has_text="保存").first.click()
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/opinions/{opinion.pk}/edit/")
    page.fill("textarea[name=basis]", "专利法 第十一条、第六十四条")
    page.click("main form button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert "构成相同侵权的可能性较大" in page.locator("#verdict").inner_text()
    page.click("#actions button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#opinion-state").inner_text() == "待审核"

    # The handler reviews, the director signs (which issues the letter).
    login(page, base, w["sh_handler"])
    page.goto(f"{base}/opinions/{opinion.pk}/")
    page.click("#actions button[value=review]")
    page.wait_for_load_state("networkidle")
    login(page, base, w["sh_director"])
    page.goto(f"{base}/opinions/{opinion.pk}/")
    page.click("#actions button[value=sign]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#opinion-state").inner_text() == "已出具意见书"
    opinion.refresh_from_db()
    assert page.locator("#letter-sha256").inner_text().strip() == opinion.letter_sha256

    # The applicant downloads the letter from the case page.
    login(page, base, w["applicant"])
    page.goto(f"{base}/cases/{tn}/")
    with page.expect_download() as info:
        page.click("#opinions a:has-text('下载意见书')")
    path = tmp_path / "letter.pdf"
    info.value.save_as(path)
    text = "".join(pdf_text(path.read_bytes()).split())
    assert opinion.number in text and "侵权判定参考意见书" in text
    assert "本意见仅供参考，不具有法律约束力" in text and w["case"].applicant_name in text
