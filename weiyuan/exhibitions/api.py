"""The fair station in the REST API (tag "exhibitions", `/api/v1/exhibitions/…`), for the station's staff and the
experts on duty with their own API tokens, scoped exactly as the pages are (`weiyuan/access/exhibitions.py`): the
station's open complaints with their clocks, one complaint, filing a complaint at the station, serving the notice,
the respondent's defence, the experts' finding with its measures, the staff confirmation of the measures, the
refusal to comply. A station or complaint the caller does not see answers 404, an action it may not take 403.

Every write requires an `Idempotency-Key` (422 naming it when missing, checked after access, as the e-commerce API
does) and honours it (`weiyuan/api/idempotency.py`): a station's tablet on a fair's network retries.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from weiyuan.access.exhibitions import ExhibitionPermission, complaint_decide, station_decide
from weiyuan.api.idempotency import idempotent, key_header_required
from weiyuan.api.schemas import DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.exhibitions import complaint_services, selectors
from weiyuan.exhibitions import schemas as s
from weiyuan.exhibitions.complaint_services import ComplaintInput
from weiyuan.exhibitions.models import OPEN_STATES

router = Router(tags=["exhibitions"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}
P = ExhibitionPermission


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def key_required(permission: ExhibitionPermission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Access first (404 unseen, 403 may not), then the `Idempotency-Key` header."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = _user(request)
            if "station_id" in kwargs:
                decision = station_decide(user, permission, selectors.station_get(user=user, pk=kwargs["station_id"]))
            else:
                complaint = selectors.complaint_get(user=user, pk=kwargs["complaint_id"])
                decision = complaint_decide(user, permission, complaint)
            if not decision:
                raise TransitionRefused(decision.reason, status=403)
            key_header_required(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _detail(user: Any, complaint_id: int) -> s.ComplaintOut:
    return s.complaint_out(selectors.complaint_get(user=user, pk=complaint_id), user, timezone.now())


@router.get(
    "/stations/{int:station_id}/complaints",
    response={200: s.ComplaintListOut, **ERRORS, **INVALID},
    url_name="exhibitions_station_complaints",
)
def station_complaints(request: HttpRequest, station_id: int, query: Query[s.StationQuery]) -> s.ComplaintListOut:
    """The station's open complaints, as on its live board: running clocks first (soonest due), with the
    respondent, the defence clock and the measures still due. `state` narrows to one open state."""
    user = _user(request)
    station = selectors.station_get(user=user, pk=station_id)
    if query.state and query.state not in OPEN_STATES:
        raise ValidationError(
            {"state": _("只能按未办结的状态筛选：%(states)s。") % {"states": "、".join(str(v) for v in OPEN_STATES)}}
        )
    items, count, pages = page_of(
        selectors.board_complaints(station=station, state=query.state), page=query.page, page_size=query.page_size
    )
    sees_check = bool(station_decide(user, P.COMPLAINT_MARK_CHECK, station))
    now = timezone.now()
    return s.ComplaintListOut(
        items=[s.ComplaintSummaryOut(**s.summary_out(c, now, sees_mark_check=sees_check)) for c in items],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.post(
    "/stations/{int:station_id}/complaints",
    response={201: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_file",
)
@key_required(P.COMPLAINT_HANDLE)
@idempotent
def complaint_file(
    request: HttpRequest,
    station_id: int,
    payload: Form[s.ComplaintFileIn],
    certificate: File[UploadedFile | None] = None,
    photos: File[list[UploadedFile] | None] = None,
) -> Status[s.ComplaintOut]:
    """File a complaint at the station (multipart: the fields, `certificate` required, `photos`). The right's
    validity is checked (registered, in force, owner is the complainant) and the respondent found among the
    exhibitors by booth or name, each refusal naming its field; a trademark is checked against the register
    (recorded, never refused on it)."""
    user = _user(request)
    station = selectors.station_get(user=user, pk=station_id)
    complaint = complaint_services.complaint_file(
        station=station,
        actor=user,
        data=ComplaintInput(**payload.model_dump()),
        certificate=certificate,
        photos=list(photos or []),
    )
    return Status(201, _detail(user, complaint.pk))


@router.get(
    "/complaints/{int:complaint_id}",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_detail",
)
def complaint_detail(request: HttpRequest, complaint_id: int) -> s.ComplaintOut:
    """One complaint: the right, the respondent, the clock, the measures, the steps, the actions the caller may
    take; for the station's staff and those on duty also its files and the trademark check."""
    return _detail(_user(request), complaint_id)


@router.post(
    "/complaints/{int:complaint_id}/serve",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_serve",
)
@key_required(P.COMPLAINT_HANDLE)
@idempotent
def complaint_serve(request: HttpRequest, complaint_id: int) -> s.ComplaintOut:
    """The notice is served on the respondent: the defence clock starts (the event's hours)."""
    user = _user(request)
    complaint_services.complaint_serve(complaint=selectors.complaint_get(user=user, pk=complaint_id), actor=user)
    return _detail(user, complaint_id)


@router.post(
    "/complaints/{int:complaint_id}/defence",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_defence",
)
@key_required(P.COMPLAINT_DEFEND)
@idempotent
def complaint_defence(
    request: HttpRequest,
    complaint_id: int,
    payload: Form[s.DefenceIn],
    files: File[list[UploadedFile] | None] = None,
) -> s.ComplaintOut:
    """The respondent's defence with its evidence (multipart: `text`, `files`), before the clock runs out (409
    after it, naming rule `fair_respondent_defence`)."""
    user = _user(request)
    complaint_services.complaint_defend(
        complaint=selectors.complaint_get(user=user, pk=complaint_id),
        actor=user,
        text=payload.text,
        files=list(files or []),
    )
    return _detail(user, complaint_id)


@router.post(
    "/complaints/{int:complaint_id}/finding",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_finding",
)
@key_required(P.COMPLAINT_DECIDE)
@idempotent
def complaint_finding(request: HttpRequest, complaint_id: int, payload: s.FindingIn) -> s.ComplaintOut:
    """The finding of an expert on duty that day: infringing (with the measures per exhibit), not infringing, or
    refer; after the defence or once the clock has run out."""
    user = _user(request)
    complaint_services.complaint_decide(
        complaint=selectors.complaint_get(user=user, pk=complaint_id),
        actor=user,
        outcome=payload.outcome,
        reason=payload.reason,
        measures=[(m.kind, m.exhibit) for m in payload.measures],
    )
    return _detail(user, complaint_id)


@router.post(
    "/complaints/{int:complaint_id}/measures",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_measures",
)
@key_required(P.COMPLAINT_HANDLE)
@idempotent
def complaint_measures(
    request: HttpRequest,
    complaint_id: int,
    payload: Form[s.ConfirmationIn],
    photo: File[UploadedFile | None] = None,
) -> s.ComplaintOut:
    """The staff confirmation that the measures were carried out (multipart: `signer`, `photo` required); the
    time is recorded."""
    user = _user(request)
    complaint_services.complaint_confirm_measures(
        complaint=selectors.complaint_get(user=user, pk=complaint_id), actor=user, photo=photo, signer=payload.signer
    )
    return _detail(user, complaint_id)


@router.post(
    "/complaints/{int:complaint_id}/refusal",
    response={200: s.ComplaintOut, **ERRORS, **INVALID},
    url_name="exhibitions_complaint_refusal",
)
@key_required(P.COMPLAINT_HANDLE)
@idempotent
def complaint_refusal(request: HttpRequest, complaint_id: int, payload: s.RefusalIn) -> s.ComplaintOut:
    """The respondent refuses to comply with the measures: recorded, and the organiser's accounts are told."""
    user = _user(request)
    complaint_services.complaint_record_refusal(
        complaint=selectors.complaint_get(user=user, pk=complaint_id), actor=user, note=payload.note
    )
    return _detail(user, complaint_id)
