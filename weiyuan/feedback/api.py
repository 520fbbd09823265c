"""Feedback in the REST API (tag "feedback"): the applicant reads and answers the satisfaction survey of a concluded
case; centre staff (and supervisors, read-only) list the return visits of their centres by status and record one.

The same services, selectors and access rules as the pages: a survey is the applicant's (anyone else: 404), a
visit is seen by its centre's staff and supervisors above (others: 404) and recorded by the staff (supervisors: 403).
Writes honour an `Idempotency-Key` header.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.access.feedback import FeedbackPermission, case_feedback_decide, has_return_visit_queue
from weiyuan.api.errors import ApiError
from weiyuan.api.idempotency import idempotent
from weiyuan.api.schemas import CentreRef, CleanIn, DetailOut, StrictIn, ValidationErrorOut
from weiyuan.api.selectors import case_for, page_of
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.feedback import selectors, services
from weiyuan.feedback.models import ReturnVisit, Survey, SurveyChannel

router = Router(tags=["feedback"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}
P = FeedbackPermission


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- shapes ---------------------------------------------------------------------------------------------------


class SurveyOut(Schema):
    case: str = Field(description="The case's tracking number.")
    answered: bool
    answered_at: dt.datetime | None
    overall: int | None
    speed: int | None
    professionalism: int | None
    usefulness: int | None
    comment: str


class SurveyIn(StrictIn):
    overall: int = Field(description="Overall satisfaction, 1 (very dissatisfied) to 5 (very satisfied).")
    speed: int = Field(description="Speed of handling, 1-5.")
    professionalism: int = Field(description="Professionalism, 1-5.")
    usefulness: int = Field(description="How much the service helped, 1-5.")
    comment: str = Field("", max_length=2000)


class VisitListQuery(CleanIn):
    status: str = Field("", description="due (within 7 days), overdue, done, cancelled; empty: all pending.")
    centre: str = Field("", description="Code of one centre within the caller's scope.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class VisitOut(Schema):
    id: int
    case: str
    case_title: str
    applicant_name: str
    centre: CentreRef
    days_after: int
    due_on: dt.date
    overdue: bool
    state: str
    state_label: str
    done_at: dt.datetime | None
    reached: bool | None
    channel: str
    dispute_resolved: bool | None
    applicant_outcome: str
    loss_avoided_yuan: Decimal | None
    new_needs: str
    referral_mismatch: bool
    url: str


class VisitListOut(Schema):
    items: list[VisitOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class VisitIn(StrictIn):
    reached: bool
    channel: str = Field(description="phone, email, visit or message.")
    dispute_resolved: bool | None = Field(None, description="Required when reached.")
    applicant_outcome: str = Field("", description="settled, won, lost, pending or abandoned; required when reached.")
    loss_avoided_yuan: Decimal | None = Field(None, description="Estimated loss avoided in yuan, not negative.")
    new_needs: str = ""
    notes: str = ""


def _survey_out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        case=survey.case.tracking_number,
        answered=survey.answered_at is not None,
        answered_at=survey.answered_at,
        overall=survey.overall,
        speed=survey.speed,
        professionalism=survey.professionalism,
        usefulness=survey.usefulness,
        comment=survey.comment,
    )


def _visit_out(v: ReturnVisit, today: dt.date) -> VisitOut:
    return VisitOut(
        id=v.pk,
        case=v.case.tracking_number,
        case_title=v.case.title,
        applicant_name=v.case.applicant_name,
        centre=CentreRef(code=v.centre.code, name=v.centre.name),
        days_after=v.days_after,
        due_on=v.due_on,
        overdue=v.state == "pending" and v.due_on < today,
        state=v.state,
        state_label=v.get_state_display(),
        done_at=v.done_at,
        reached=v.reached,
        channel=v.channel,
        dispute_resolved=v.dispute_resolved,
        applicant_outcome=v.applicant_outcome,
        loss_avoided_yuan=v.loss_avoided_yuan,
        new_needs=v.new_needs,
        referral_mismatch=v.referral_mismatch,
        url=f"/api/v1/feedback/return-visits/{v.pk}",
    )


def _survey_for(user: Any, tracking_number: str, permission: FeedbackPermission) -> Survey:
    case = case_for(user=user, tracking_number=tracking_number)
    survey = selectors.survey_of_case(case=case)
    if survey is None or not case_feedback_decide(user, permission, case):
        raise Http404("survey not found")
    survey.case = case
    return survey


# --- surveys --------------------------------------------------------------------------------------------------


@router.get("/surveys/{tracking_number}", response={200: SurveyOut, **ERRORS, **INVALID}, url_name="feedback_survey")
def survey_get(request: HttpRequest, tracking_number: str) -> SurveyOut:
    """The satisfaction survey of a concluded case: the applicant and the case's staff and supervisors."""
    return _survey_out(_survey_for(_user(request), tracking_number, P.SURVEY_VIEW))


@router.post(
    "/surveys/{tracking_number}", response={200: SurveyOut, **ERRORS, **INVALID}, url_name="feedback_survey_answer"
)
@idempotent
def survey_answer(request: HttpRequest, tracking_number: str, payload: SurveyIn) -> SurveyOut:
    """Answer the survey (the case's applicant only, once): scores 1-5 and an optional comment."""
    user = _user(request)
    survey = _survey_for(user, tracking_number, P.SURVEY_ANSWER)
    answer = services.SurveyAnswer(
        overall=payload.overall,
        speed=payload.speed,
        professionalism=payload.professionalism,
        usefulness=payload.usefulness,
        comment=payload.comment,
    )
    return _survey_out(services.survey_answer(survey=survey, actor=user, answer=answer, via=SurveyChannel.API))


# --- return visits --------------------------------------------------------------------------------------------


@router.get("/return-visits", response={200: VisitListOut, **ERRORS, **INVALID}, url_name="feedback_visit_list")
def visit_list(request: HttpRequest, query: Query[VisitListQuery]) -> VisitListOut:
    """Return visits of the caller's centres (a supervisor's subtree), pending by due date, or done / cancelled."""
    user = _user(request)
    if not has_return_visit_queue(user):
        raise ApiError(403, _("回访列表仅供援助机构工作人员和监督人员查看。"))
    filters = selectors.parse_visit_filters({"status": query.status, "centre": query.centre})
    if filters.errors:
        raise ValidationError(filters.errors)
    now = timezone.now()
    qs = selectors.return_visit_list(user=user, filters=filters, now=now)
    items, count, pages = page_of(qs, page=query.page, page_size=query.page_size)
    today = selectors.today_in_china(now)
    return VisitListOut(
        items=[_visit_out(v, today) for v in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.post(
    "/return-visits/{int:visit_id}", response={200: VisitOut, **ERRORS, **INVALID}, url_name="feedback_visit_record"
)
@idempotent
def visit_record(request: HttpRequest, visit_id: int, payload: VisitIn) -> VisitOut:
    """Record a pending return visit: the contact and, if reached, what the applicant said."""
    user = _user(request)
    visit = selectors.return_visit_get(user=user, pk=visit_id)
    visit = services.return_visit_record(visit=visit, actor=user, **payload.model_dump())
    return _visit_out(visit, selectors.today_in_china(timezone.now()))
