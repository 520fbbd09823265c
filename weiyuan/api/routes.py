"""The REST API under /api/v1 (django-ninja): the same services, selectors and access module as the web UI.

Every route needs a caller (API token or session); the OpenAPI schema (/api/v1/openapi.json) and the docs page
(/api/v1/docs) do not. Routes only parse, make one selector or service call, and shape the answer.

This module deliberately does not use `from __future__ import annotations`: django-ninja resolves the
annotations of decorated views against the decorator's module.
"""

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, NinjaAPI, Query, Router, Status, UploadedFile

from weiyuan.api import schemas as s
from weiyuan.api import selectors, services
from weiyuan.api.auth import API_AUTH
from weiyuan.api.errors import install_exception_handlers
from weiyuan.api.idempotency import idempotent
from weiyuan.evidence.services import evidence_record_download
from weiyuan.knowledge.api import router as knowledge_router
from weiyuan.search.api import router as search_router

api = NinjaAPI(
    title="weiyuan API",
    version="1",
    description="维援 — IP rights protection assistance network. Cases, transitions, messages and evidence.\n\n"
    "Authenticate with `Authorization: Bearer wy_…` (an API token from your profile page) or a browser session "
    "(send the CSRF token with POSTs). Every POST accepts an `Idempotency-Key` header.",
    urls_namespace="api",
    auth=API_AUTH,
)
install_exception_handlers(api)

ERRORS = {400: s.DetailOut, 401: s.DetailOut, 403: s.DetailOut, 404: s.DetailOut, 409: s.DetailOut}
INVALID = {422: s.ValidationErrorOut}

me_router = Router(tags=["me"])
cases_router = Router(tags=["cases"])
evidence_router = Router(tags=["evidence"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- who am I -----------------------------------------------------------------------------------------------


@me_router.get("", response={200: s.MeOut, **ERRORS}, url_name="me")
def me(request: HttpRequest) -> s.MeOut:
    """The caller: id, display name and roles per centre."""
    return selectors.me(user=_user(request))


# --- cases --------------------------------------------------------------------------------------------------


@cases_router.get("", response={200: s.CaseListOut, **ERRORS, **INVALID}, url_name="case_list")
def case_list(request: HttpRequest, query: Query[s.CaseListQuery]) -> s.CaseListOut:
    """Cases the caller may see, one workbench queue at a time, filtered and paginated (page_size ≤ 100)."""
    return selectors.case_page(user=_user(request), query=query)


@cases_router.post("", response={201: s.CaseDetailOut, **ERRORS, **INVALID}, url_name="case_create")
@idempotent
def case_create(request: HttpRequest, payload: s.CaseCreateIn) -> Status[s.CaseDetailOut]:
    """Record an application and submit it (`submit`: false keeps a draft)."""
    user = _user(request)
    case = services.case_create_from_api(actor=user, payload=payload)
    return Status(201, selectors.case_detail_of(user=user, case=case))


@cases_router.get("/{tracking_number}", response={200: s.CaseDetailOut, **ERRORS, **INVALID}, url_name="case_detail")
def case_detail(request: HttpRequest, tracking_number: str, query: Query[s.CaseDetailQuery]) -> s.CaseDetailOut:
    """A case with its rights, clocks, public timeline and the actions the caller may take. The applicant's ID
    number, phone and e-mail are masked unless asked for with `?reveal=personal_data` (allowed roles only, audited)."""
    return selectors.case_detail(user=_user(request), tracking_number=tracking_number, reveal=query.reveal)


@cases_router.get(
    "/{tracking_number}/transitions",
    response={200: s.TransitionsOut, **ERRORS, **INVALID},
    url_name="case_transitions",
)
def case_transitions(request: HttpRequest, tracking_number: str) -> s.TransitionsOut:
    """The actions the caller may take on the case now."""
    user = _user(request)
    return selectors.case_transitions(user=user, case=selectors.case_for(user=user, tracking_number=tracking_number))


@cases_router.post(
    "/{tracking_number}/transitions/{action}",
    response={200: s.TransitionResultOut, **ERRORS, **INVALID},
    url_name="case_transition",
)
@idempotent
def case_transition(
    request: HttpRequest, tracking_number: str, action: str, payload: s.TransitionIn | None = None
) -> s.TransitionResultOut:
    """Take one action of the transition table. The body's fields depend on the action (see TransitionIn)."""
    user = _user(request)
    case = selectors.case_for(user=user, tracking_number=tracking_number)
    case = services.case_act(case=case, actor=user, action=action, payload=payload or s.TransitionIn())
    return s.TransitionResultOut(action=action, **selectors.case_transitions(user=user, case=case).model_dump())


@cases_router.get(
    "/{tracking_number}/messages", response={200: s.MessageListOut, **ERRORS, **INVALID}, url_name="case_messages"
)
def case_messages(request: HttpRequest, tracking_number: str, query: Query[s.PageQuery]) -> s.MessageListOut:
    """Messages between applicant and centre; internal notes only for staff."""
    return selectors.message_page(user=_user(request), tracking_number=tracking_number, query=query)


@cases_router.post(
    "/{tracking_number}/messages", response={201: s.MessageOut, **ERRORS, **INVALID}, url_name="case_message_post"
)
@idempotent
def case_message_post(request: HttpRequest, tracking_number: str, payload: s.MessageIn) -> Status[s.MessageOut]:
    """Post a message (`internal`: true for a staff-only note)."""
    user = _user(request)
    case = selectors.case_for(user=user, tracking_number=tracking_number)
    message = services.case_message_from_api(case=case, actor=user, body=payload.body, internal=payload.internal)
    return Status(201, selectors.message_out(message, attachments=[], may_download=False))


@cases_router.get(
    "/{tracking_number}/evidence", response={200: s.EvidenceListOut, **ERRORS, **INVALID}, url_name="case_evidence"
)
def case_evidence(request: HttpRequest, tracking_number: str, query: Query[s.PageQuery]) -> s.EvidenceListOut:
    """Files of the case with their SHA-256."""
    return selectors.evidence_page(user=_user(request), tracking_number=tracking_number, query=query)


@cases_router.post(
    "/{tracking_number}/evidence",
    response={201: s.EvidenceUploadOut, **ERRORS, **INVALID},
    url_name="case_evidence_upload",
)
@idempotent
def case_evidence_upload(
    request: HttpRequest, tracking_number: str, files: File[list[UploadedFile]]
) -> Status[s.EvidenceUploadOut]:
    """Upload one or more files (multipart field `files`). The type is checked by content, not by name."""
    user = _user(request)
    case = selectors.case_for(user=user, tracking_number=tracking_number)
    stored = services.case_evidence_add(case=case, actor=user, files=list(files))
    return Status(201, selectors.evidence_upload_out(user=user, case=case, stored=stored))


# --- evidence -----------------------------------------------------------------------------------------------


@evidence_router.get("/{int:evidence_id}/download", response={200: None, **ERRORS}, url_name="evidence_download")
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The file itself, if the caller may download it. Every download is audited."""
    user = _user(request)
    evidence = selectors.evidence_for_download(user=user, evidence_id=evidence_id)
    evidence_record_download(evidence=evidence, user=user)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


api.add_router("/me", me_router)
api.add_router("/cases", cases_router)
api.add_router("/evidence", evidence_router)
api.add_router("/kb", search_router)
api.add_router("/kb", knowledge_router)
api.add_router("/consultations", "weiyuan.consultations.api.router")
api.add_router("/experts", "weiyuan.experts.api.router")
api.add_router("/partners", "weiyuan.partners.api.router")
api.add_router("/referrals", "weiyuan.referrals.api.router")
api.add_router("/ecommerce", "weiyuan.ecommerce.api.router")
api.add_router("/exhibitions", "weiyuan.exhibitions.api.router")
api.add_router("/cases", "weiyuan.experts.api.case_router")
api.add_router("/marks", "weiyuan.marks.api.router")
api.add_router("/feedback", "weiyuan.feedback.api.router")
api.add_router("/funds", "weiyuan.funds.api.router")
api.add_router("/kpis", "weiyuan.kpis.api.router")
