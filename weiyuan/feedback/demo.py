"""Demo feedback for `manage.py seed_demo`, run after the other demos. The demo's concluded cases already carry their
surveys and return visits (the conclusion opens them); this answers some surveys as their applicants, records some of
the return visits that have fallen due (one with a new need turned into a draft case), and files one service
complaint about a sub-centre with its parent level. All through the services (audit events, notices). Idempotent:
nothing is added once the demo complaint exists."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from weiyuan.access.policy import STAFF_ROLES
from weiyuan.feedback import services
from weiyuan.feedback.models import ReturnVisit, ReturnVisitState, ServiceComplaint, Survey, SurveyChannel

COMPLAINT_SUBJECT = "工作站电话长时间无人接听"
COMPLAINT_BODY = (
    "本人于上月两次拨打工作站公布的咨询电话均无人接听，通过平台提交材料后也一周未获回复，"
    "希望上级中心督促改进接待工作，并公布工作时间和备用联系方式。"
)
# (overall, speed, professionalism, usefulness, comment): a spread, so the satisfaction figures are not all fives.
ANSWERS = [
    (5, 5, 5, 5, "答复及时，指导非常具体，帮我们避免了损失。"),
    (4, 3, 5, 4, "专业水平高，但等待受理的时间略长。"),
    (5, 4, 5, 5, ""),
    (3, 2, 4, 3, "办理周期偏长，希望能及时告知进展。"),
    (4, 4, 4, 4, "整体满意。"),
    (2, 2, 3, 2, "材料要求反复补正，沟通成本较高。"),
]
# (reached, channel, resolved, outcome, loss avoided in yuan, new need)
VISITS = [
    (True, "phone", True, "settled", "50000", ""),
    (True, "phone", False, "pending", None, "准备参加下月的广交会，希望中心提供展前商标风险排查。"),
    (False, "phone", None, "", None, ""),
    (True, "email", True, "won", "120000", ""),
]


def _staff_of(centre_id: int) -> object | None:
    from weiyuan.accounts.models import User

    return (
        User.objects.filter(
            memberships__centre_id=centre_id,
            memberships__role__in=STAFF_ROLES,
            memberships__active=True,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def feedback_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Answer demo surveys, record due return visits and file the demo complaint; a line for the seed summary."""
    if ServiceComplaint.objects.filter(subject=COMPLAINT_SUBJECT).exists():
        return "Feedback: demo feedback already present."
    answered = 0
    pending = Survey.objects.filter(answered_at__isnull=True, case__state__in=["concluded", "closed"])
    for survey, (overall, speed, prof, useful, comment) in zip(
        pending.select_related("case", "applicant").order_by("pk")[: len(ANSWERS)], ANSWERS, strict=False
    ):
        answer = services.SurveyAnswer(overall, speed, prof, useful, comment)
        services.survey_answer(survey=survey, actor=survey.applicant, answer=answer, via=SurveyChannel.CASE_PAGE)
        answered += 1
    recorded = opened = 0
    due = ReturnVisit.objects.filter(state=ReturnVisitState.PENDING, due_on__lte=timezone.localdate())
    for visit, (reached, channel, resolved, outcome, loss, need) in zip(
        due.select_related("case", "centre").order_by("due_on", "pk")[: len(VISITS)], VISITS, strict=False
    ):
        actor = _staff_of(visit.centre_id)
        if actor is None:
            continue
        visit = services.return_visit_record(
            visit=visit,
            actor=actor,
            reached=reached,
            channel=channel,
            dispute_resolved=resolved,
            applicant_outcome=outcome,
            loss_avoided_yuan=loss,
            new_needs=need,
            notes="演示数据：电话回访记录。",
        )
        recorded += 1
        if need:
            services.return_visit_open_case(visit=visit, actor=actor, service_type_code="consultation")
            opened += 1
    complaint = _file_complaint(log)
    return (
        f"Feedback: {answered} surveys answered, {recorded} return visits recorded ({opened} new draft case), "
        f"{'1 service complaint' if complaint else 'no service complaint'}."
    )


def _file_complaint(log: Callable[[str], None]) -> ServiceComplaint | None:
    from weiyuan.cases.models import Case

    case = (
        Case.objects_unscoped.filter(applicant_user__isnull=False, centre__parent__isnull=False)
        .exclude(state="draft")
        .select_related("centre", "applicant_user")
        .order_by("-centre__depth", "pk")
        .first()
    )
    if case is None:
        log("feedback demo: no case of an applicant account at a centre with a parent level; no complaint")
        return None
    return services.complaint_file(
        case=case, actor=case.applicant_user, kind="complaint", subject=COMPLAINT_SUBJECT, body=COMPLAINT_BODY
    )
