"""Shapes of the station API (`api.py`) and how a complaint at a fair becomes one.

No `from __future__ import annotations`: django-ninja resolves these annotations at import time.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from weiyuan.access.exhibitions import ExhibitionPermission, complaint_decide
from weiyuan.api.schemas import CleanIn
from weiyuan.core.choices import Industry
from weiyuan.exhibitions import mark_check
from weiyuan.exhibitions.flow import DEFENCE_RULE, allowed_complaint_actions
from weiyuan.exhibitions.models import Complaint, ComplaintState

P = ExhibitionPermission
S = ComplaintState


class StationQuery(CleanIn):
    state: str = Field("", description="Only complaints in this open state: filed, served, defended or infringing.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class ComplaintFileIn(CleanIn):
    """The multipart fields of a complaint filed at the station (files: `certificate`, `photos`)."""

    complainant: str
    complainant_contact: str = ""
    right_type: str = Field(description="invention, utility_model, design, trademark, gi, ic_layout, copyright, ...")
    right_number: str
    right_title: str = ""
    right_owner: str
    right_valid_from: dt.date | None = None
    right_valid_until: dt.date | None = None
    respondent: str = Field(description="The exhibitor's booth number or company name.")
    exhibits: str
    statement: str = ""
    accused_mark: str = Field("", description="Trademarks: the sign the exhibitor uses, scored against the register.")


class DefenceIn(CleanIn):
    text: str = Field(description="The respondent's defence (a paper defence recorded by the station's staff).")


class MeasureIn(CleanIn):
    kind: str = Field(description="remove, cover or withdraw_promotion.")
    exhibit: str


class FindingIn(CleanIn):
    outcome: str = Field(description="infringing, not_infringing or refer.")
    reason: str
    measures: list[MeasureIn] = Field(default_factory=list, description="Required when the outcome is infringing.")


class ConfirmationIn(CleanIn):
    signer: str = Field(description="Who signed for the exhibitor.")


class RefusalIn(CleanIn):
    note: str


class ClockOut(Schema):
    rule: str
    state: str = Field(description="not_started (not served), running, expired (no defence in time), stopped.")
    hours: int
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    seconds_left: int | None


class RespondentOut(Schema):
    id: int
    booth: str
    company: str
    country: str
    industry: str
    industry_label: str


class ComplaintSummaryOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    right_type: str
    right_number: str
    respondent: RespondentOut
    filed_at: dt.datetime
    clock: ClockOut
    measures_due: int
    earlier_complaints: int
    mark_check_status: str | None = Field(description="Staff and those on duty only (else null).")


class ComplaintListOut(Schema):
    items: list[ComplaintSummaryOut]
    count: int
    page: int
    page_size: int
    pages: int


class RightOut(Schema):
    type: str
    number: str
    title: str
    owner: str
    valid_from: dt.date
    valid_until: dt.date


class MeasureOut(Schema):
    id: int
    kind: str
    exhibit: str
    state: str
    confirmed_at: dt.datetime | None
    signer: str


class FileOut(Schema):
    id: int
    kind: str
    name: str
    sha256: str


class MarkCheckOut(Schema):
    status: str
    status_label: str
    problems: list[str]
    checked_at: str
    registration: dict[str, Any] | None = Field(
        description="The register's entry: number, text, owner, classes, status, expires_on."
    )
    similarity: dict[str, Any] | None
    reasons: list[str]


class StepOut(Schema):
    action: str
    state: str
    at: dt.datetime
    note: str


class ComplaintOut(ComplaintSummaryOut):
    station_id: int
    event_id: int
    event_name: str
    complainant: str
    complainant_contact: str
    right: RightOut
    exhibits: str
    statement: str
    accused_mark: str
    served_at: dt.datetime | None
    defence: str
    defended_at: dt.datetime | None
    decision_reason: str
    decided_at: dt.datetime | None
    refusal_note: str
    organiser_told_at: dt.datetime | None
    measures: list[MeasureOut]
    files: list[FileOut] = Field(description="Staff and those on duty only (else empty).")
    mark_check: MarkCheckOut | None = Field(description="Staff and those on duty only, trademarks only.")
    steps: list[StepOut]
    allowed_actions: list[str]


def clock_of(complaint: Complaint, now: dt.datetime) -> ClockOut:
    """The respondent's defence clock (rule `fair_respondent_defence`, the event's hours)."""
    due = complaint.defence_due_at
    if complaint.served_at is None or due is None:
        state, left = "not_started", None
    elif complaint.state == S.SERVED:
        left = int((due - now).total_seconds())
        state, left = ("running", left) if left > 0 else ("expired", 0)
    else:
        state, left = "stopped", None
    return ClockOut(
        rule=DEFENCE_RULE,
        state=state,
        hours=complaint.station.event.defence_hours,
        started_at=complaint.served_at,
        due_at=due,
        seconds_left=left,
    )


def respondent_out(complaint: Complaint) -> RespondentOut:
    exhibitor = complaint.respondent
    return RespondentOut(
        id=exhibitor.pk,
        booth=exhibitor.booth,
        company=exhibitor.company,
        country=exhibitor.country,
        industry=exhibitor.industry,
        industry_label=str(Industry(exhibitor.industry).label) if exhibitor.industry else "",
    )


def summary_out(complaint: Complaint, now: dt.datetime, *, sees_mark_check: bool) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.number or "",
        "state": complaint.state,
        "state_label": str(complaint.get_state_display()),
        "right_type": complaint.right_type,
        "right_number": complaint.right_number,
        "respondent": respondent_out(complaint),
        "filed_at": complaint.filed_at,
        "clock": clock_of(complaint, now),
        "measures_due": int(getattr(complaint, "measures_due", 0) or 0),
        "earlier_complaints": complaint.earlier_complaints,
        "mark_check_status": complaint.mark_check_status if sees_mark_check else None,
    }


def mark_check_out(complaint: Complaint) -> MarkCheckOut | None:
    check = complaint.mark_check
    if not check:
        return None
    return MarkCheckOut(
        status=complaint.mark_check_status,
        status_label=str(complaint.get_mark_check_status_display()),
        problems=mark_check.problem_texts(check),
        checked_at=str(check.get("checked_at") or ""),
        registration=check.get("register"),
        similarity=check.get("similarity"),
        reasons=mark_check.reason_texts(check),
    )


def complaint_out(complaint: Complaint, user: Any, now: dt.datetime) -> ComplaintOut:
    """One complaint as the caller may see it (`selectors.complaint_get` has prefetched its files, measures, steps)."""
    sees_check = bool(complaint_decide(user, P.COMPLAINT_MARK_CHECK, complaint))
    may_download = bool(complaint_decide(user, P.COMPLAINT_DOWNLOAD, complaint))
    measures = list(complaint.measures.all())
    return ComplaintOut(
        **{
            **summary_out(complaint, now, sees_mark_check=sees_check),
            "measures_due": sum(1 for m in measures if m.state == "due"),
        },
        station_id=complaint.station_id,
        event_id=complaint.station.event_id,
        event_name=complaint.station.event.name,
        complainant=complaint.complainant,
        complainant_contact=complaint.complainant_contact,
        right=RightOut(
            type=complaint.right_type,
            number=complaint.right_number,
            title=complaint.right_title,
            owner=complaint.right_owner,
            valid_from=complaint.right_valid_from,
            valid_until=complaint.right_valid_until,
        ),
        exhibits=complaint.exhibits,
        statement=complaint.statement,
        accused_mark=complaint.accused_mark,
        served_at=complaint.served_at,
        defence=complaint.defence,
        defended_at=complaint.defended_at,
        decision_reason=complaint.decision_reason,
        decided_at=complaint.decided_at,
        refusal_note=complaint.refusal_note,
        organiser_told_at=complaint.organiser_told_at,
        measures=[
            MeasureOut(
                id=m.pk, kind=m.kind, exhibit=m.exhibit, state=m.state, confirmed_at=m.confirmed_at, signer=m.signer
            )
            for m in measures
        ],
        files=[
            FileOut(id=f.evidence_id, kind=f.kind, name=f.evidence.original_name, sha256=f.evidence.sha256)
            for f in complaint.files.all()
        ]
        if may_download
        else [],
        mark_check=mark_check_out(complaint) if sees_check else None,
        steps=[StepOut(action=s.action, state=s.state, at=s.at, note=s.note) for s in complaint.steps.all()],
        allowed_actions=[t.action for t in allowed_complaint_actions(complaint, user, now=now)],
    )
