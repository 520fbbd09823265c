"""Request and response shapes of the API. Inputs refuse unknown fields, so a misspelt field is an error, not lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

# --- inputs -------------------------------------------------------------------------------------------------

NUL = "\x00"
NUL_ERROR = "string_nul"  # the error type; errors.py words the message


class CleanIn(Schema):
    """Base of every input (body and query): no text may hold a NUL character. PostgreSQL cannot store one (even
    a lookup with one fails), so it is refused here with a 422 naming the field, before any service or query runs."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and NUL in value:
            raise PydanticCustomError(NUL_ERROR, "text contains a NUL character")
        return value


class StrictIn(CleanIn):
    """Request bodies: also refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class RightIn(StrictIn):
    ip_type: str
    number: str
    title: str = ""
    owner: str = ""
    legal_status: str = ""


class CaseCreateIn(StrictIn):
    """Mirrors cases.services.CaseInput. Lengths, codes and identifiers are checked by the intake service."""

    centre_code: str
    service_type_code: str
    ip_type: str
    title: str
    facts: str
    request: str
    applicant_name: str
    applicant_kind: str
    applicant_region_code: str
    channel: str = "online"
    applicant_credit_code: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    priority_group: str = ""
    industry: str = Field("", description="GB/T 4754 section letter A-T, or empty.")
    respondent_name: str = ""
    respondent_credit_code: str = ""
    respondent_address: str = ""
    is_major: bool = False
    rights: list[RightIn] = Field(default_factory=list)
    submit: bool = Field(True, description="Submit at once (default); false keeps the case as a draft.")


class TransitionIn(StrictIn):
    """Fields used by each action (others are ignored):
    request_info: request_text · answer_info: answer_text · accept: note ·
    reject: reason, text, fix, suggested_centre_code, suggested_channel · assign: handler_id ·
    conclude: outcome, result_letter · reopen, withdraw: reason · transfer: target_centre_code, reason."""

    request_text: str = ""
    answer_text: str = ""
    note: str = ""
    reason: str = ""
    text: str = ""
    fix: str = ""
    suggested_centre_code: str = ""
    suggested_channel: str = ""
    handler_id: int | None = None
    outcome: str = ""
    result_letter: str = ""
    target_centre_code: str = ""


class MessageIn(StrictIn):
    body: str
    internal: bool = False


class CaseListQuery(CleanIn):
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)
    queue: str = Field("", description="Workbench queue; default: the widest queue the caller has.")
    service_type: str = ""
    ip_type: str = ""
    state: str = ""
    channel: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = Field("", max_length=100, description="Tracking number, applicant, respondent or right number.")
    sort: str = "newest"


class PageQuery(CleanIn):
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


REVEAL_PERSONAL_DATA = "personal_data"


class CaseDetailQuery(CleanIn):
    reveal: str = Field(
        "",
        max_length=20,
        description="`personal_data`: show the applicant's ID number, phone and e-mail unmasked (only for roles "
        "that may see them; every such read is audited). Without it they are masked.",
    )


# --- outputs ------------------------------------------------------------------------------------------------


class ErrorItem(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


class DetailOut(Schema):
    detail: str


class CentreRef(Schema):
    code: str
    name: str


class UserRef(Schema):
    id: int
    display_name: str


class CaseSummaryOut(Schema):
    tracking_number: str
    title: str
    state: str
    state_label: str
    service_type: str
    service_type_name: str
    ip_type: str
    channel: str
    is_major: bool
    centre: CentreRef
    applicant_name: str
    respondent_name: str
    handler: UserRef | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    # Counting stops at 50,000: `count_capped` is true when there are at least that many (narrow with filters).
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class RightOut(Schema):
    ip_type: str
    number: str
    title: str
    owner: str
    legal_status: str


class ClockOut(Schema):
    rule: str
    rule_label: str
    state: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    paused_at: dt.datetime | None
    finished_at: dt.datetime | None
    calendar_fallback: bool


class TimelineEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    centre: str
    actor: str | None
    note: str
    at: dt.datetime


class ActionOut(Schema):
    action: str
    label: str
    needs_input: bool


class RejectionOut(Schema):
    reason: str
    reason_label: str
    text: str
    fix: str
    suggested_centre: CentreRef | None
    suggested_channel: str


class CaseDetailOut(CaseSummaryOut):
    applicant_kind: str
    applicant_credit_code: str
    applicant_id_number: str = Field(description="Masked unless asked for with `?reveal=personal_data` (audited).")
    applicant_phone: str = Field(description="Masked unless asked for with `?reveal=personal_data` (audited).")
    applicant_email: str = Field(description="Masked unless asked for with `?reveal=personal_data` (audited).")
    applicant_region_code: str
    priority_group: str
    industry: str
    respondent_credit_code: str
    respondent_address: str
    facts: str
    request: str
    personal_data_masked: bool = Field(description="True unless this answer was asked for with ?reveal=personal_data.")
    personal_data_revealable: bool = Field(
        False, description="Whether the caller may ask for the unmasked personal data (?reveal=personal_data)."
    )
    transferred_from: CentreRef | None
    accepted_at: dt.datetime | None
    concluded_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str
    outcome_label: str
    result_letter: str
    rejection: RejectionOut | None
    rights: list[RightOut]
    clocks: list[ClockOut]
    timeline: list[TimelineEventOut]
    allowed_actions: list[ActionOut]


class TransitionsOut(Schema):
    tracking_number: str
    state: str
    state_label: str
    allowed_actions: list[ActionOut]


class TransitionResultOut(TransitionsOut):
    action: str


class EvidenceOut(Schema):
    id: int
    name: str
    sha256: str
    size: int
    content_type: str
    kind: str
    received_at: dt.datetime
    download_url: str | None = Field(description="Null when the caller may see the case but not download its files.")


class EvidenceListOut(Schema):
    items: list[EvidenceOut]
    count: int
    page: int
    page_size: int
    pages: int


class EvidenceUploadOut(Schema):
    items: list[EvidenceOut]


class MessageOut(Schema):
    id: int
    author: UserRef
    body: str
    internal: bool
    created_at: dt.datetime
    attachments: list[EvidenceOut]


class MessageListOut(Schema):
    items: list[MessageOut]
    count: int
    page: int
    page_size: int
    pages: int


class MembershipOut(Schema):
    centre: CentreRef | None
    role: str
    role_label: str
    organisation: str


class MeOut(Schema):
    id: int
    display_name: str
    email: str | None
    is_applicant: bool
    applicant_kind: str
    roles: list[MembershipOut]
