"""The satisfaction survey: created when a case is concluded (`feedback_case_concluded`, called by
`cases.services.case_conclude` in its transaction), answered once by the applicant on the case page, through the API
or through the signed link in the notice; one reminder through the outbox if unanswered (`weiyuan/feedback/sweep.py`).

The link carries a signature (django.core.signing, salt `SURVEY_SALT`, `FEEDBACK_SURVEY_LINK_MAX_AGE_DAYS`) over the
survey and the applicant account: a forged or altered token fails the signature, an old one has expired, and once the
survey is answered the same token is refused (one answer per survey, checked under a row lock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.feedback import FeedbackPermission, case_feedback_decide
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import RULES, compute_due
from weiyuan.feedback.models import SCORE_FIELDS, SCORE_MAX, SCORE_MIN, Survey, SurveyChannel
from weiyuan.notifications.services import Notice, outbox_enqueue

SURVEY_SALT = "weiyuan.feedback.survey"
COMMENT_MAX = 2000
ANSWERABLE_CASE_STATES = (CaseState.CONCLUDED, CaseState.CLOSED)


class SurveyLinkInvalid(Exception):
    """A survey link that cannot be used: `expired` (too old) or forged / altered / not for this survey."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


def survey_link_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "a": survey.applicant_id}, salt=SURVEY_SALT, compress=True)


def survey_link_path(survey: Survey) -> str:
    return reverse("feedback:survey_link", kwargs={"token": survey_link_token(survey)})


def survey_from_token(token: str) -> Survey:
    """The survey a link points to. Raises SurveyLinkInvalid for a forged, altered or expired token."""
    max_age = dt.timedelta(days=settings.FEEDBACK_SURVEY_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise SurveyLinkInvalid(_("评价链接已过期。请登录后在案件页面评价。"), expired=True) from None
    except signing.BadSignature:
        raise SurveyLinkInvalid(_("评价链接无效。请使用通知中的完整链接，或登录后在案件页面评价。")) from None
    invalid = _("评价链接无效。请使用通知中的完整链接，或登录后在案件页面评价。")
    survey_id = data.get("s") if isinstance(data, dict) else None
    applicant_id = data.get("a") if isinstance(data, dict) else None
    if not isinstance(survey_id, int) or not isinstance(applicant_id, int):
        raise SurveyLinkInvalid(invalid)
    survey = (
        Survey.objects.select_related("case", "case__centre", "centre", "applicant")
        .filter(pk=survey_id, applicant_id=applicant_id)
        .first()
    )
    if survey is None:
        raise SurveyLinkInvalid(invalid)
    return survey


def _snapshot(survey: Survey) -> dict[str, Any]:
    return {
        "answered_at": survey.answered_at,
        "remind_due_at": survey.remind_due_at,
        "reminded_at": survey.reminded_at,
        **{name: getattr(survey, name) for name in SCORE_FIELDS},
    }


def _remind_due(start: dt.datetime) -> dt.datetime:
    amount = settings.FEEDBACK_SURVEY_REMINDER_WORKING_DAYS
    return compute_due(RULES["survey_reminder"], start, amount=amount).due_at


def survey_notice(survey: Survey, *, reminder: bool) -> Notice:
    """The notice with the signed link, written in the recipient's language (called inside its override)."""
    case = survey.case
    if reminder:
        subject = _("提醒：请评价本次服务（%(number)s）") % {"number": case.tracking_number}
    else:
        subject = _("请评价本次服务（%(number)s）") % {"number": case.tracking_number}
    body = _(
        "您的案件「%(title)s」已办结。请用一分钟为%(centre)s的服务打分（总体满意度及办理速度、专业水平、帮助程度），"
        "您的评价帮助我们改进工作。评价链接只能使用一次，%(days)s 天内有效。"
    ) % {"title": case.title, "centre": case.centre.display_name, "days": settings.FEEDBACK_SURVEY_LINK_MAX_AGE_DAYS}
    return Notice(kind="feedback.survey", subject=subject, body=body, url=survey_link_path(survey))


def survey_open_for_case(*, case: Case, now: dt.datetime) -> Survey | None:
    """Create the case's survey when it is concluded (or, after a reopening, renew the reminder of an unanswered
    one) and queue the notice with the signed link. Cases recorded without an applicant account get none. Runs in
    the caller's transaction."""
    if not case.applicant_user_id:
        return None
    survey = Survey.objects.select_for_update().filter(case=case).first()
    if survey is None:
        survey = Survey.objects.create(
            case=case,
            centre_id=case.centre_id,
            applicant_id=case.applicant_user_id,
            created_at=now,
            remind_due_at=_remind_due(now),
        )
        case_audit_record(case=case, actor=None, action="survey.create", obj=survey, after=_snapshot(survey))
    elif survey.answered_at is None and survey.reminded_at is None:
        before = _snapshot(survey)
        survey.remind_due_at = _remind_due(now)
        survey.save(update_fields=["remind_due_at"])
        case_audit_record(
            case=case, actor=None, action="survey.renew", obj=survey, before=before, after=_snapshot(survey)
        )
    else:
        return survey
    survey.case = case
    outbox_enqueue(
        recipients=[case.applicant_user],
        notice=lambda: survey_notice(survey, reminder=False),
        dedupe_key=f"survey:{survey.pk}:open:{now.isoformat()}",
    )
    return survey


@dataclass(frozen=True)
class SurveyAnswer:
    overall: Any
    speed: Any
    professionalism: Any
    usefulness: Any
    comment: str = ""


def _clean_answer(answer: SurveyAnswer) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in SCORE_FIELDS:
        value = getattr(answer, name)
        try:
            number = int(value)
            if str(value).strip() != str(number) or not SCORE_MIN <= number <= SCORE_MAX:
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = _("请选择 %(min)s 到 %(max)s 分。") % {"min": SCORE_MIN, "max": SCORE_MAX}
            continue
        cleaned[name] = number
    comment = (answer.comment or "").strip()
    if "\x00" in comment:
        errors["comment"] = _("含有不可见的空字符（NUL），请删除后重新输入。")
    elif len(comment) > COMMENT_MAX:
        errors["comment"] = _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字。") % {
            "limit": COMMENT_MAX,
            "n": len(comment),
        }
    if errors:
        raise ValidationError(errors)
    cleaned["comment"] = comment
    return cleaned


@transaction.atomic
def survey_answer(*, survey: Survey, actor: Any, answer: SurveyAnswer, via: str) -> Survey:
    """Record the applicant's answer, once. `via` link: the caller has verified the signed token (then `actor` is
    the survey's applicant); otherwise the actor must be the case's applicant (anyone else: 404)."""
    if via != SurveyChannel.LINK and not case_feedback_decide(actor, FeedbackPermission.SURVEY_ANSWER, survey.case):
        raise TransitionRefused(_("找不到该评价。"), status=404)
    if via == SurveyChannel.LINK and getattr(actor, "pk", None) != survey.applicant_id:
        raise TransitionRefused(_("找不到该评价。"), status=404)
    locked = Survey.objects.select_for_update().select_related("case", "case__centre").get(pk=survey.pk)
    if locked.answered_at is not None:
        raise TransitionRefused(_("您已评价过本次服务，每件案件只能评价一次。感谢您的反馈。"), status=409)
    if locked.case.state not in ANSWERABLE_CASE_STATES:
        raise TransitionRefused(_("案件正在重新办理，办结后再请您评价。"), status=409)
    cleaned = _clean_answer(answer)
    before = _snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.answered_at = timezone.now()
    locked.answered_via = via
    locked.save()
    case_audit_record(
        case=locked.case,
        actor=actor,
        action="survey.answer",
        obj=locked,
        before=before,
        after={**_snapshot(locked), "via": via},
    )
    return locked


def survey_pause_for_case(*, case: Any) -> None:
    """The case is reopened (in the caller's transaction): an unanswered survey's reminder is held, so the sweep
    does not spend it while the case cannot be rated; survey_open_for_case renews it at the next conclusion."""
    paused = Survey.objects.filter(case=case, answered_at__isnull=True, reminded_at__isnull=True).exclude(
        remind_due_at=None
    )
    for survey in paused.select_for_update():
        before = _snapshot(survey)
        survey.remind_due_at = None
        survey.save(update_fields=["remind_due_at"])
        case_audit_record(
            case=case, actor=None, action="survey.pause", obj=survey, before=before, after=_snapshot(survey)
        )
