"""Consultations in the REST API (tag "consultations"): submit a question, read its answer with the cited articles,
rate the answer, ask the one follow-up. The same services, selectors and access rules as the web pages: a
consultation is visible exactly when its case is (404 otherwise), and only sent answers are served.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide
from weiyuan.api.idempotency import idempotent
from weiyuan.api.schemas import CentreRef, DetailOut, StrictIn, ValidationErrorOut
from weiyuan.api.selectors import case_for
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.consultations import services
from weiyuan.consultations.models import QUESTION_MAX_LENGTH, RATING_COMMENT_MAX_LENGTH, Consultation, Topic
from weiyuan.consultations.selectors import consultation_rounds
from weiyuan.consultations.services.answering import first_answer_sent

router = Router(tags=["consultations"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}


# --- shapes ---------------------------------------------------------------------------------------------------


class ConsultationIn(StrictIn):
    """A question for a centre. An applicant account asks for itself (name and contacts come from the account);
    centre staff recording a call or visit give the channel and the caller's name, kind and region."""

    centre_code: str = Field(..., description="The centre that answers (see the public directory).")
    ip_type: str = Field(..., description="invention, utility_model, design, trademark, gi, ic_layout, ...")
    topic: str = Field(..., description="law, procedure, legal_status, dispute, evidence, overseas or other.")
    question: str = Field(..., description=f"{QUESTION_MAX_LENGTH} characters at most.")
    applicant_region_code: str = Field("", description="6-digit region code; default: the account's region.")
    channel: str = "online"
    applicant_name: str = ""
    applicant_kind: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""


class RatingIn(StrictIn):
    score: int = Field(..., ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: str = Field("", max_length=RATING_COMMENT_MAX_LENGTH)


class FollowUpIn(StrictIn):
    question: str


class CitationOut(Schema):
    kind: str = Field(..., description="article or qa")
    citation: str = Field(..., description="How it is cited, e.g. 电子商务法 第四十三条; a Q&A's title.")
    url: str
    text: str = Field(..., description="The article's full text in the cited version; a Q&A's question.")
    version_label: str = ""
    is_current: bool = Field(True, description="Whether the cited article's version is the law's current one.")


class RoundOut(Schema):
    round: int = Field(..., description="1: the question; 2: the follow-up.")
    question: str
    asked_at: dt.datetime
    answer: str | None = None
    answered_at: dt.datetime | None = None
    citations: list[CitationOut] = Field(default_factory=list)


class RatingOut(Schema):
    score: int
    comment: str
    rated_at: dt.datetime


class ConsultationOut(Schema):
    tracking_number: str
    title: str
    topic: str
    topic_label: str
    ip_type: str
    state: str
    state_label: str
    centre: CentreRef
    submitted_at: dt.datetime | None
    answer_due_at: dt.datetime | None = Field(None, description="When the open round's answer is due.")
    rounds: list[RoundOut]
    rating: RatingOut | None = None
    may_rate: bool
    may_follow_up: bool
    follow_up_refusal: str = Field("", description="Why no follow-up can be asked now, if the caller may ask one.")


def _out(user: Any, consultation: Consultation) -> ConsultationOut:
    case = consultation.case
    rounds = consultation_rounds(consultation=consultation, user=user)
    answered = first_answer_sent(consultation)
    may_follow_up = bool(consultation_decide(user, CP.FOLLOW_UP, case)) and answered
    refusal = services.follow_up_refusal(consultation) if may_follow_up else ""
    due = (
        Clock.objects.filter(case=case, rule="handling", state=ClockState.RUNNING)
        .order_by("-started_at")
        .values_list("due_at", flat=True)
        .first()
    )
    return ConsultationOut(
        tracking_number=case.tracking_number,
        title=case.title,
        topic=consultation.topic,
        topic_label=str(Topic(consultation.topic).label),
        ip_type=case.ip_type,
        state=case.state,
        state_label=str(case.get_state_display()),
        centre=CentreRef(code=case.centre.code, name=case.centre.name),
        submitted_at=case.submitted_at,
        answer_due_at=due,
        rounds=[
            RoundOut(
                round=r.question.round,
                question=r.question.text,
                asked_at=r.question.asked_at,
                answer=r.answer.body if r.answered and r.answer is not None else None,
                answered_at=r.answer.sent_at if r.answered and r.answer is not None else None,
                citations=[
                    CitationOut(
                        kind=c.kind,
                        citation=c.label,
                        url=c.url,
                        text=c.text,
                        version_label=c.version_label,
                        is_current=c.is_current,
                    )
                    for c in r.citations
                ]
                if r.answered
                else [],
            )
            for r in rounds
        ],
        rating=RatingOut(score=consultation.rating, comment=consultation.rating_comment, rated_at=consultation.rated_at)
        if consultation.rated_at is not None and consultation.rating is not None
        else None,
        may_rate=bool(consultation_decide(user, CP.RATE, case)) and answered and consultation.rated_at is None,
        may_follow_up=may_follow_up and not refusal,
        follow_up_refusal=refusal,
    )


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _consultation_for(user: Any, tracking_number: str) -> Consultation:
    """A malformed number is a 422; one the caller may not see, or a case that is no consultation, a 404."""
    case = case_for(user=user, tracking_number=tracking_number)
    consultation = Consultation.objects.filter(case=case).first()
    if consultation is None:
        raise Http404("not a consultation")
    consultation.case = case
    return consultation


# --- routes ---------------------------------------------------------------------------------------------------


@router.post("", response={201: ConsultationOut, **ERRORS, **INVALID}, url_name="consultation_create")
@idempotent
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status[ConsultationOut]:
    """Ask a question: it becomes a case of service type consultation, submitted to the centre at once."""
    user = _user(request)
    data = services.AskInput(**payload.model_dump())
    consultation = services.consultation_ask(actor=user, data=data)
    return Status(201, _out(user, consultation))


@router.get("/{tracking_number}", response={200: ConsultationOut, **ERRORS, **INVALID}, url_name="consultation_detail")
def consultation_detail(request: HttpRequest, tracking_number: str) -> ConsultationOut:
    """The question(s), the state, the sent answers with their cited articles (full text of the cited version)
    and the rating."""
    user = _user(request)
    return _out(user, _consultation_for(user, tracking_number))


@router.post(
    "/{tracking_number}/rating", response={200: ConsultationOut, **ERRORS, **INVALID}, url_name="consultation_rate"
)
@idempotent
def consultation_rate(request: HttpRequest, tracking_number: str, payload: RatingIn) -> ConsultationOut:
    """Rate the answer once (the applicant)."""
    user = _user(request)
    consultation = _consultation_for(user, tracking_number)
    services.consultation_rate(consultation=consultation, actor=user, score=payload.score, comment=payload.comment)
    return _out(user, _consultation_for(user, tracking_number))


@router.post(
    "/{tracking_number}/follow-up",
    response={201: ConsultationOut, **ERRORS, **INVALID},
    url_name="consultation_follow_up",
)
@idempotent
def consultation_follow_up(request: HttpRequest, tracking_number: str, payload: FollowUpIn) -> Status[ConsultationOut]:
    """Ask the one follow-up question (the applicant, after the answer)."""
    user = _user(request)
    consultation = _consultation_for(user, tracking_number)
    services.consultation_follow_up(consultation=consultation, actor=user, question=payload.question)
    return Status(201, _out(user, _consultation_for(user, tracking_number)))
