"""An expert's task after an accepted invitation: the expert sees the task (not the case), the applicant masked
unless staff marked personal data needed (with a reason, audited), only the shared documents (revoking a share
makes the document 404); work entries with the daily cap and fees, the director's decision, totals and the budget's
selector; ending the task, both ratings; the English undertaking; the task list's queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, UserFactory, make_case, pdf_upload
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as cases
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile
from weiyuan.experts import invitations as inv
from weiyuan.experts import task_services as ts
from weiyuan.experts.invitation_models import UndertakingText
from weiyuan.experts.models import Expert, ExpertInvitation, ExpertRating
from weiyuan.experts.services import expert_rate
from weiyuan.experts.task_models import FeeSource, TaskDocumentShare, TaskFeedback, WorkState
from weiyuan.experts.task_selectors import (
    applicant_for_task,
    approved_expert_costs,
    expert_approved_totals,
    mask_name,
    task_approved_totals,
)
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

ID_NUMBER = "310115199003071239"
PHONE = "13800138000"
EMAIL = "zhang.san@example.com"


def expert_account() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT, organisation="某大学")
    return user


def today() -> dt.date:
    return timezone.now().astimezone(CHINA_TZ).date()


@pytest.fixture
def setup(network: dict[str, Any]) -> dict[str, Any]:
    """A natural person's case at the Shanghai centre with two files, an expert invited, undertaking signed and
    accepted: the task is open."""
    applicant = ApplicantFactory(id_number=ID_NUMBER, phone=PHONE, email=EMAIL, applicant_kind="person")
    case = make_case(
        network["shanghai"],
        applicant,
        applicant_kind="person",
        applicant_name="张三丰",
        applicant_id_number=ID_NUMBER,
        applicant_phone=PHONE,
        applicant_email=EMAIL,
        evidence=[pdf_upload("购买公证.pdf"), pdf_upload("商标注册证.pdf")],
    )
    case = cases.case_accept(case=case, actor=network["sh_intake"])
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    account = expert_account()
    expert = make_expert(
        network["sh_director"], network["shanghai"], name="李专家", user_email=account.email, hourly_rate="800"
    )
    invitation = inv.invitation_create(case=case, expert=expert, actor=network["sh_handler"], task="比对商标近似性")
    inv.invitation_undertake(invitation=invitation, actor=account, version=inv.current_undertaking_text().version)
    invitation = inv.invitation_accept(invitation=invitation, actor=account)
    assert invitation.assignment is not None
    files = list(EvidenceFile.objects_unscoped.filter(case=case).order_by("id"))
    return {
        **network,
        "case": case,
        "account": account,
        "expert": expert,
        "task": invitation.assignment,
        "files": files,
        "applicant": applicant,
    }


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task_url(s: dict[str, Any], suffix: str = "") -> str:
    return f"/experts/tasks/{s['task'].pk}/{suffix}"


def share(s: dict[str, Any], *files: EvidenceFile) -> list[TaskDocumentShare]:
    return ts.task_share_files(assignment=s["task"], actor=s["sh_handler"], evidence_ids=[f.pk for f in files])


def fresh(s: dict[str, Any]) -> CaseAssignment:
    return CaseAssignment.objects.select_related("case", "case__centre").get(pk=s["task"].pk)


# --- what the expert sees ---------------------------------------------------------------------------------------


def test_the_expert_sees_the_task_not_the_case(setup: dict[str, Any]) -> None:
    client = login(setup["account"])
    case = setup["case"]
    assert client.get(f"/cases/{case.tracking_number}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.tracking_number}").status_code in (401, 404)
    assert client.get(f"/evidence/{setup['files'][0].pk}/").status_code == 404
    listing = client.get("/experts/tasks/")
    assert listing.status_code == 200 and case.tracking_number in listing.content.decode()
    page = client.get(task_url(setup))
    html = page.content.decode()
    assert page.status_code == 200
    for shown in ("比对商标近似性", case.tracking_number, case.title, case.facts, case.respondent_name, "商标"):
        assert shown in html, shown
    assert case.service_type.name in html
    invitation = ExpertInvitation.objects.get(assignment=setup["task"])
    assert task_url(setup) in client.get(f"/experts/invitations/{invitation.pk}/").content.decode()


def test_personal_data_masked_by_default(setup: dict[str, Any]) -> None:
    html = login(setup["account"]).get(task_url(setup)).content.decode()
    for secret in (ID_NUMBER, PHONE, EMAIL, "张三丰", "浦东新区"):
        assert secret not in html, secret
    assert "张**" in html and "310***********1239" in html and "138****8000" in html and "zh*************le.com" in html
    assert "上海市" in html  # the region cut to the province
    assert 'id="personal-data-state"' in html
    assert not AuditEvent.objects.filter(action="expert.task.personal_data_read").exists()


def test_personal_data_needed_needs_a_reason_is_audited_and_reveals(setup: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        ts.task_set_personal_data(assignment=setup["task"], actor=setup["sh_handler"], needed=True, reason=" ")
    assert "reason" in exc.value.message_dict
    ts.task_set_personal_data(
        assignment=setup["task"], actor=setup["sh_handler"], needed=True, reason="需核对申请人身份与权利人是否一致"
    )
    event = AuditEvent.objects.get(action="expert.task.personal_data")
    after = event.after or {}
    assert after["needed"] is True and after["reason"].startswith("需核对") and event.case_id
    html = login(setup["account"]).get(task_url(setup)).content.decode()
    for secret in (ID_NUMBER, PHONE, EMAIL, "张三丰", "浦东新区"):
        assert secret in html, secret
    assert "需核对申请人身份" in html
    assert AuditEvent.objects.filter(action="expert.task.personal_data_read").count() == 1
    # Supervisors and staff read the task with the data masked (staff reveal it on the case page, audited there).
    for user in (setup["sh_supervisor"], setup["sh_handler"]):
        page = login(user).get(task_url(setup)).content.decode()
        assert ID_NUMBER not in page and EMAIL not in page and "已向专家显示" in page
    assert AuditEvent.objects.filter(action="expert.task.personal_data_read").count() == 1
    # Masked again: by staff, or when the task ends.
    ts.task_set_personal_data(assignment=setup["task"], actor=setup["sh_handler"], needed=False)
    assert ID_NUMBER not in login(setup["account"]).get(task_url(setup)).content.decode()
    ts.task_set_personal_data(assignment=setup["task"], actor=setup["sh_handler"], needed=True, reason="核对身份信息")
    ts.task_end(assignment=setup["task"], actor=setup["sh_handler"])
    assert ID_NUMBER not in login(setup["account"]).get(task_url(setup)).content.decode()


def test_masking_helpers() -> None:
    assert mask_name("张三丰") == "张**" and mask_name("李") == "*" and mask_name("") == ""
    case = Case(
        applicant_name="某某科技有限公司",
        applicant_kind="organisation",
        applicant_credit_code="91310000MA1FL0000X",
        applicant_email="info@example.com",
    )
    masked = applicant_for_task(case, revealed=False)
    assert masked["name"] == "某某科技有限公司" and masked["credit_code"] == "91310000MA1FL0000X"
    assert masked["email"] == "in********le.com" and masked["masked"] is True


def test_only_shared_documents_and_revoking_makes_them_404(setup: dict[str, Any]) -> None:
    first, second = setup["files"]
    client = login(setup["account"])
    assert client.get(task_url(setup, f"documents/{first.pk}/")).status_code == 404
    share(setup, first)
    html = client.get(task_url(setup)).content.decode()
    assert "购买公证.pdf" in html and "商标注册证.pdf" not in html
    response = client.get(task_url(setup, f"documents/{first.pk}/"))
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    download = AuditEvent.objects.get(action="evidence.download")
    assert download.actor_id == setup["account"].pk and download.case_id == setup["case"].pk
    assert client.get(task_url(setup, f"documents/{second.pk}/")).status_code == 404
    assert client.get(f"/evidence/{first.pk}/").status_code == 404  # only through the task
    open_share = TaskDocumentShare.objects.get(assignment=setup["task"], revoked_at__isnull=True)
    ts.task_revoke_share(assignment=setup["task"], actor=setup["sh_handler"], share_id=open_share.pk)
    assert client.get(task_url(setup, f"documents/{first.pk}/")).status_code == 404
    assert "购买公证.pdf" not in client.get(task_url(setup)).content.decode()
    assert AuditEvent.objects.filter(action__in=["expert.task.share", "expert.task.share_revoke"]).count() == 2
    share(setup, first)  # shared again after a revoke: a new row
    assert TaskDocumentShare.objects.filter(assignment=setup["task"]).count() == 2


def test_sharing_refuses_files_of_other_cases_and_empty_choice(setup: dict[str, Any]) -> None:
    other = make_case(setup["shanghai"], evidence=[pdf_upload("别的案件.pdf")])
    foreign = EvidenceFile.objects_unscoped.get(case=other)
    with pytest.raises(ValidationError) as exc:
        share(setup, foreign)
    assert "documents" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ts.task_share_files(assignment=setup["task"], actor=setup["sh_handler"], evidence_ids=[])
    assert share(setup, setup["files"][0]) and share(setup, setup["files"][0]) == []  # sharing twice: no new row


def test_staff_share_from_the_task_page(setup: dict[str, Any]) -> None:
    client = login(setup["sh_handler"])
    page = client.get(task_url(setup)).content.decode()
    assert "共享本案文件" in page and "购买公证.pdf" in page
    response = client.post(task_url(setup, "share/"), {"documents": [str(setup["files"][1].pk)]})
    assert response.status_code == 302
    assert TaskDocumentShare.objects.get(assignment=setup["task"]).evidence_file == setup["files"][1]
    empty = client.post(task_url(setup, "share/"), {})
    assert empty.status_code == 400 and "共享给专家的文件" in empty.content.decode()
    assert f'name="documents" value="{setup["files"][0].pk}"' in empty.content.decode()  # offered again
    bad = client.post(task_url(setup, "personal_data/"), {"needed": "1", "reason": ""})
    assert bad.status_code == 400 and "理由" in bad.content.decode()
    assert client.post(task_url(setup, "nonsense/")).status_code == 404


def test_ended_task_closes_the_documents(setup: dict[str, Any]) -> None:
    share(setup, setup["files"][0])
    ts.task_end(assignment=setup["task"], actor=setup["sh_handler"], note="意见已提交")
    client = login(setup["account"])
    assert client.get(task_url(setup, f"documents/{setup['files'][0].pk}/")).status_code == 409
    assert "购买公证.pdf" not in client.get(task_url(setup)).content.decode()
    assert login(setup["sh_handler"]).get(task_url(setup, f"documents/{setup['files'][0].pk}/")).status_code == 200
    with pytest.raises(TransitionRefused):
        share(setup, setup["files"][1])


# --- ending and rating --------------------------------------------------------------------------------------------


def test_end_then_both_ratings_once(setup: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused):
        ts.task_feedback(assignment=setup["task"], actor=setup["account"], score=5)
    with pytest.raises(TransitionRefused):
        expert_rate(assignment=setup["task"], actor=setup["sh_handler"], score=4)
    with pytest.raises(TransitionRefused) as refused:
        ts.task_end(assignment=setup["task"], actor=setup["account"])
    assert refused.value.status == 403
    ended = ts.task_end(assignment=setup["task"], actor=setup["sh_intake"], note="已完成比对")
    assert ended.ended_at is not None
    assert AuditEvent.objects.filter(action="expert.task.end").count() == 1
    assert OutboxMessage.objects.filter(kind="expert_task.ended", recipient=setup["account"]).exists()
    with pytest.raises(TransitionRefused):
        ts.task_end(assignment=fresh(setup), actor=setup["sh_handler"])
    # The expert is no longer counted as loaded by the matching (open tasks only).
    assert not CaseAssignment.objects.filter(user=setup["account"], ended_at__isnull=True).exists()

    task = fresh(setup)
    for bad in (0, 6, "x", 2.5, True):
        with pytest.raises(ValidationError) as exc:
            ts.task_feedback(assignment=task, actor=setup["account"], score=bad)
        assert "score" in exc.value.message_dict
    feedback = ts.task_feedback(assignment=task, actor=setup["account"], score="4", comment="沟通顺畅")
    assert feedback.score == 4 and AuditEvent.objects.filter(action="expert.task.feedback").exists()
    with pytest.raises(TransitionRefused):
        ts.task_feedback(assignment=task, actor=setup["account"], score=3)
    assert TaskFeedback.objects.count() == 1

    # Staff rate the expert from the task page: the profile's rating feeds the matching.
    client = login(setup["sh_handler"])
    assert client.post(task_url(setup, "rate/"), {"score": "9"}).status_code == 400
    assert client.post(task_url(setup, "rate/"), {"score": "5", "comment": "专业"}).status_code == 302
    assert ExpertRating.objects.get(assignment=task).score == 5
    expert = Expert.objects_unscoped.get(pk=setup["expert"].pk)
    assert expert.rating_count == 1 and expert.rating_average == 5
    page = client.get(task_url(setup)).content.decode()
    assert "沟通顺畅" in page and "专业" in page
    assert "专业" not in login(setup["account"]).get(task_url(setup)).content.decode().split('id="ratings"')[1]


def test_expert_feedback_from_the_page(setup: dict[str, Any]) -> None:
    ts.task_end(assignment=setup["task"], actor=setup["sh_handler"])
    client = login(setup["account"])
    assert client.post(task_url(setup, "feedback/"), {"score": "0"}).status_code == 400
    assert client.post(task_url(setup, "feedback/"), {"score": "3", "comment": "材料不全"}).status_code == 302
    assert TaskFeedback.objects.get().comment == "材料不全"


# --- work entries -------------------------------------------------------------------------------------------------


def log(s: dict[str, Any], hours: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("work_date", today())
    kwargs.setdefault("description", "比对商标图样")
    return ts.work_log(assignment=s["task"], actor=s["account"], hours=hours, **kwargs)


def test_work_hours_bounds_and_daily_cap(setup: dict[str, Any]) -> None:
    for bad in ("0", "-1", "24.5", "abc", "1.234", "NaN"):
        with pytest.raises(ValidationError) as exc:
            log(setup, bad)
        assert "hours" in exc.value.message_dict, bad
    with pytest.raises(ValidationError) as exc:
        log(setup, "2", description=" ")
    assert "description" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        log(setup, "2", work_date=today() + dt.timedelta(days=1))
    assert "work_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        log(setup, "2", work_date=today() - dt.timedelta(days=30))
    assert "work_date" in exc.value.message_dict
    first = log(setup, "20")
    assert first.fee == Decimal("16000.00") and first.fee_source == FeeSource.RATE
    assert first.hourly_rate == Decimal("800.00") and first.state == WorkState.PENDING
    with pytest.raises(ValidationError) as exc:
        log(setup, "4.5")
    assert "hours" in exc.value.message_dict and "24" in exc.value.message_dict["hours"][0]
    log(setup, "4")  # exactly 24 in the day
    assert AuditEvent.objects.filter(action="expert.task.work_log").count() == 2
    assert OutboxMessage.objects.filter(kind="expert_task.work_logged", recipient=setup["sh_director"]).exists()


def test_fee_entered_or_required_without_a_rate(setup: dict[str, Any]) -> None:
    entry = log(setup, "1.5", fee="300")
    assert entry.fee == Decimal("300.00") and entry.fee_source == FeeSource.ENTERED
    with pytest.raises(ValidationError) as exc:
        log(setup, "1", fee="-5")
    assert "fee" in exc.value.message_dict
    Expert.objects_unscoped.filter(pk=setup["expert"].pk).update(hourly_rate=None)
    with pytest.raises(ValidationError) as exc:
        log(setup, "1")
    assert "fee" in exc.value.message_dict
    assert log(setup, "1", fee="0").fee == Decimal("0.00")


def test_director_approves_or_rejects_with_a_reason(setup: dict[str, Any]) -> None:
    one = log(setup, "2")
    two = log(setup, "3", work_date=today() - dt.timedelta(days=0))
    with pytest.raises(TransitionRefused) as refused:
        ts.work_decide(entry=one, actor=setup["sh_handler"], approve=True)
    assert refused.value.status == 403
    with pytest.raises(TransitionRefused) as refused:
        ts.work_decide(entry=one, actor=setup["zj_director"], approve=True)
    assert refused.value.status == 404
    with pytest.raises(ValidationError) as exc:
        ts.work_decide(entry=two, actor=setup["sh_director"], approve=False, reason="")
    assert "reason" in exc.value.message_dict
    ts.work_decide(entry=one, actor=setup["sh_director"], approve=True)
    ts.work_decide(entry=two, actor=setup["sh_director"], approve=False, reason="与前一条重复登记")
    with pytest.raises(TransitionRefused):
        ts.work_decide(entry=one, actor=setup["sh_director"], approve=False, reason="改主意了，重新审核")
    assert AuditEvent.objects.filter(action="expert.task.work_approve").count() == 1
    assert (AuditEvent.objects.get(action="expert.task.work_reject").after or {})["reason"] == "与前一条重复登记"
    assert OutboxMessage.objects.filter(kind="expert_task.work_rejected", recipient=setup["account"]).exists()
    totals = task_approved_totals(assignment=setup["task"])
    assert totals.hours == Decimal("2") and totals.fee == Decimal("1600") and totals.entries == 1
    assert expert_approved_totals(user_id=setup["account"].pk).fee == Decimal("1600")
    # A rejected entry frees its hours for the day.
    log(setup, "22")
    # The page shows the totals; the director reviews from it.
    client = login(setup["sh_director"])
    html = client.get(task_url(setup)).content.decode()
    assert "1600.00" in html and "与前一条重复登记" in html
    pending = setup["task"].work_entries.get(state=WorkState.PENDING)
    bad = client.post(task_url(setup, "decide_work/"), {"entry": pending.pk, "decision": "reject", "reason": ""})
    assert bad.status_code == 400
    ok = client.post(task_url(setup, "decide_work/"), {"entry": pending.pk, "decision": "approve", "reason": ""})
    assert ok.status_code == 302
    assert "已核准工时合计 24 小时" in login(setup["account"]).get("/experts/tasks/").content.decode()


def test_approved_expert_costs_for_a_budget(setup: dict[str, Any]) -> None:
    entry = log(setup, "2.5")
    assert approved_expert_costs(setup["shanghai"], today().year) == []  # pending entries do not count
    ts.work_decide(entry=entry, actor=setup["sh_director"], approve=True)
    rejected = log(setup, "1")
    ts.work_decide(entry=rejected, actor=setup["sh_director"], approve=False, reason="不属于本任务")
    rows = approved_expert_costs(setup["shanghai"], today().year)
    assert len(rows) == 1
    row = rows[0]
    assert row.expert_id == setup["expert"].pk and row.name == "李专家"
    assert row.hours == Decimal("2.5") and row.fee == Decimal("2000") and row.entries == 1
    assert approved_expert_costs(setup["shanghai"], today().year - 1) == []
    assert approved_expert_costs(setup["zhejiang"], today().year) == []
    assert approved_expert_costs(setup["shanghai"].pk, today().year) == rows


def test_work_review_page_for_directors(setup: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    for n in range(3):
        log(setup, "1", description=f"工作{n}")
    approved = log(setup, "2", description="已核准的工作")
    ts.work_decide(entry=approved, actor=setup["sh_director"], approve=True)
    client = login(setup["sh_director"])
    client.get("/experts/work/")
    with django_assert_max_num_queries(14):
        response = client.get("/experts/work/", {"year": str(today().year)})
    html = response.content.decode()
    assert response.status_code == 200 and html.count("#entry-") == 3 and "已核准的工作" not in html
    assert "李专家" in html and "1600.00" in html
    assert client.get("/experts/work/", {"year": "abc"}).status_code == 200
    assert "1600.00" not in client.get("/experts/work/", {"year": str(today().year - 1)}).content.decode()
    other = login(setup["zj_director"]).get("/experts/work/").content.decode()
    assert "#entry-" not in other and "李专家" not in other
    for user in (setup["sh_handler"], setup["account"], setup["sh_supervisor"]):
        assert login(user).get("/experts/work/").status_code == 403


def test_work_logged_from_the_page_and_bad_input_names_the_field(setup: dict[str, Any]) -> None:
    client = login(setup["account"])
    bad = client.post(
        task_url(setup, "log_work/"), {"work_date": today().isoformat(), "hours": "25", "description": "x"}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "工时" in html and "不超过 24" in html
    ok = client.post(
        task_url(setup, "log_work/"), {"work_date": today().isoformat(), "hours": "1.25", "description": "阅读材料"}
    )
    assert ok.status_code == 302
    assert setup["task"].work_entries.get().fee == Decimal("1000.00")


def test_logging_after_the_end_within_the_grace_period(setup: dict[str, Any]) -> None:
    ts.task_end(assignment=setup["task"], actor=setup["sh_handler"])
    setup["task"] = fresh(setup)
    assert log(setup, "1").pk
    with pytest.raises(ValidationError) as exc:
        log(setup, "1", work_date=today() + dt.timedelta(days=1))
    assert "work_date" in exc.value.message_dict
    now = timezone.now()
    CaseAssignment.objects.filter(pk=setup["task"].pk).update(
        created_at=now - dt.timedelta(days=50), ended_at=now - dt.timedelta(days=40)
    )
    setup["task"] = fresh(setup)
    with pytest.raises(TransitionRefused) as refused:
        log(setup, "1", work_date=today() - dt.timedelta(days=45))
    assert "30" in refused.value.reason


# --- due date, list, undertaking in English --------------------------------------------------------------------


def test_due_date_shown_and_validated(setup: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ts.task_set_due_date(
            assignment=setup["task"], actor=setup["sh_handler"], due_date=today() - dt.timedelta(days=3)
        )
    due = today() + dt.timedelta(days=10)
    ts.task_set_due_date(assignment=setup["task"], actor=setup["sh_handler"], due_date=due)
    assert due.isoformat() in login(setup["account"]).get(task_url(setup)).content.decode()
    assert due.isoformat() in login(setup["account"]).get("/experts/tasks/").content.decode()


def test_task_list_queries_do_not_grow(setup: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    account = setup["account"]
    director = setup["sh_director"]
    for n in range(12):
        case = make_case(setup["shanghai"], evidence=[pdf_upload(f"f{n}.pdf")])
        task = CaseAssignment.objects.create(
            case=case, user=account, kind="expert", task=f"任务{n}", assigned_by=director
        )
        ts.task_share_files(
            assignment=task,
            actor=director,
            evidence_ids=list(EvidenceFile.objects_unscoped.filter(case=case).values_list("pk", flat=True)),
        )
        ts.task_set_due_date(assignment=task, actor=director, due_date=today() + dt.timedelta(days=n))
    client = login(account)
    client.get("/experts/tasks/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = client.get("/experts/tasks/")
    assert response.status_code == 200 and response.content.decode().count("/experts/tasks/") >= 13
    staff_client = login(director)
    with django_assert_max_num_queries(25):
        assert staff_client.get(f"/cases/{setup['case'].tracking_number}/expert-tasks/").status_code == 200


def test_case_page_links_to_the_task(setup: dict[str, Any]) -> None:
    html = login(setup["sh_handler"]).get(f"/cases/{setup['case'].tracking_number}/").content.decode()
    assert task_url(setup) in html and f"/cases/{setup['case'].tracking_number}/expert-tasks/" in html
    assert (
        "/experts/tasks/"
        not in login(setup["applicant"]).get(f"/cases/{setup['case'].tracking_number}/").content.decode()
    )


def test_nav_link_for_experts(setup: dict[str, Any]) -> None:
    assert 'href="/experts/tasks/"' in login(setup["account"]).get("/experts/tasks/").content.decode()
    assert 'href="/experts/tasks/"' not in login(setup["sh_handler"]).get("/experts/").content.decode()


def test_undertaking_has_an_english_rendering_and_the_digest_covers_the_chinese(setup: dict[str, Any]) -> None:
    text = UndertakingText.objects.get(version=1)
    assert text.title_en and "confidential" in text.body_en
    before = inv.text_digest(text)
    text.body_en = text.body_en + " (edited)"
    text.save()
    assert inv.text_digest(text) == before  # the English rendering is not what the expert undertakes
    case = make_case(setup["shanghai"])
    case = cases.case_accept(case=case, actor=setup["sh_intake"])
    invitation = inv.invitation_create(case=case, expert=setup["expert"], actor=setup["sh_handler"], task="任务")
    client = login(setup["account"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/experts/invitations/{invitation.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Expert Confidentiality Undertaking" in html and "专家保密承诺书" in html  # the Chinese text alongside
    zh_client = login(setup["account"])
    zh_client.cookies["django_language"] = "zh-hans"
    zh = zh_client.get(f"/experts/invitations/{invitation.pk}/").content.decode()
    assert "专家保密承诺书" in zh and "Expert Confidentiality Undertaking" not in zh
