"""`Idempotency-Key` for every API POST: one key, one effect, however many times (or how many at once) it is sent.

The algorithm:
1. fingerprint the request (method, path, body) with SHA-256;
2. INSERT the key row in its own transaction (status_code NULL = in progress). Only one request can win that;
3. a loser reads the winner's row: a different fingerprint -> 422; completed -> replay the stored status and body;
   still in progress -> poll every 0.05 s up to settings.API_IDEMPOTENCY_WAIT_SECONDS, then 409;
4. the winner runs the handler and stores its status and JSON body in the same transaction as the handler's
   writes, so the effect and the record of it commit together. A handler that fails with a server error (or an
   exception) deletes the row, so the client can retry with the same key.
The stored body has the applicant's personal data masked (see `idempotent`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Status
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback
from pydantic import BaseModel

from weiyuan.api.errors import ApiError
from weiyuan.api.masking import mask_personal_data
from weiyuan.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 120
POLL_SECONDS = 0.05


def key_header_required(request: HttpRequest) -> None:
    """Refuse a write without the header (422 naming it); called after the access checks, so an unseen record is
    still 404 and a forbidden action 403."""
    if request.headers.get(HEADER) is None:
        raise ValidationError(
            {HEADER: _("写操作须带 Idempotency-Key 请求头（例如一个 UUID）；重试同一操作时使用同一个键。")}
        )


# Declared on every idempotent operation in the OpenAPI document; the decorator reads the header itself.
IDEMPOTENCY_OPENAPI: dict[str, list[dict[str, Any]]] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "Any unique string (for example a UUID). Repeating the same request with the same key "
            "returns the first response instead of acting twice.",
        }
    ]
}


class _ServerFailure(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of method, path and body. A multipart body already consumed by the parser is hashed by its parts."""
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    try:
        digest.update(request.body)
    except RawPostDataException:
        for name, values in sorted(request.POST.lists()):
            digest.update(f"field:{name}={json.dumps(values, ensure_ascii=False)}\n".encode())
        for name, uploads in sorted(request.FILES.lists()):
            for upload in uploads:
                digest.update(f"file:{name}:{upload.name}:{upload.size}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                digest.update(b"\n")
    return digest.hexdigest()


def _api() -> NinjaAPI:
    from weiyuan.api.routes import api

    return api


def _replay(request: HttpRequest, row: IdempotencyKey) -> HttpResponse:
    assert row.status_code is not None
    response = _api().create_response(request, row.response_body, status=row.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _insert(user: Any, key: str, request: HttpRequest, fingerprint: str) -> IdempotencyKey | None:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                method=(request.method or "")[:8],
                path=request.path[:300],
                request_hash=fingerprint,
            )
    except IntegrityError:
        return None


def claim_key(*, user: Any, key: str, request: HttpRequest) -> IdempotencyKey | HttpResponse:
    """Our own in-progress row (we run the handler), or the response to send instead of running it."""
    fingerprint = request_fingerprint(request)
    deadline = time.monotonic() + settings.API_IDEMPOTENCY_WAIT_SECONDS
    while True:
        row = _insert(user, key, request, fingerprint)
        if row is not None:
            return row
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is not None:
            if existing.request_hash != fingerprint:
                raise ValidationError({HEADER: _("该 Idempotency-Key 已用于另一个不同的请求；新的请求请使用新的键。")})
            if existing.status_code is not None:
                return _replay(request, existing)
        # Still in progress, or released by a failed first attempt since our INSERT (then we try to take it).
        if time.monotonic() >= deadline:
            raise ApiError(409, _("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。"))
        if existing is not None:
            time.sleep(POLL_SECONDS)


def _render(request: HttpRequest, result: Any) -> HttpResponse:
    status = 200
    if isinstance(result, Status):
        status, result = result.status_code, result.value
    if isinstance(result, HttpResponseBase):
        if not isinstance(result, HttpResponse):
            raise TypeError("idempotent views must answer JSON")
        return result
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return _api().create_response(request, result, status=status)


def _run(view: Callable[..., Any], request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
    """The view's response, with client errors (4xx) turned into responses so they can be stored and replayed."""
    try:
        with transaction.atomic():
            result = view(request, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every exception is either answered (4xx) or re-raised by on_exception
        # Known problems (404, 403, 409, 422...) become responses; anything else propagates (a server error).
        return _api().on_exception(request, exc)
    return _render(request, result)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for POST views: honour the `Idempotency-Key` header (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        raw_key = request.headers.get(HEADER)
        if raw_key is None:
            return view(request, *args, **kwargs)
        key = raw_key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {HEADER: _("Idempotency-Key 应为 1 到 %(limit)s 个字符，例如一个 UUID。") % {"limit": MAX_KEY_LENGTH}}
            )
        if any(_is_control(ch) for ch in key):
            raise ValidationError(
                {HEADER: _("Idempotency-Key 不能包含空字符（NUL）或其他控制字符，请使用可见字符，例如一个 UUID。")}
            )
        claimed = claim_key(user=request.auth, key=key, request=request)  # type: ignore[attr-defined]
        if isinstance(claimed, HttpResponse):
            return claimed
        row = claimed
        try:
            with transaction.atomic():
                response = _run(view, request, args, kwargs)
                if response.status_code >= 500:
                    raise _ServerFailure(response)
                row.status_code = response.status_code
                # What is kept for replays is the answer with the applicant's ID number, phone and e-mail masked
                # (wherever they appear): this table is plain JSON, unlike the encrypted case fields, and it must not
                # become a second, unaudited copy of them. Case answers are masked already (clear data needs an
                # explicit, audited ?reveal=personal_data read), so a replay is the same answer as the first.
                row.response_body = mask_personal_data(json.loads(response.content or b"null"))
                row.completed_at = timezone.now()
                row.save(update_fields=["status_code", "response_body", "completed_at"])
        except _ServerFailure as failure:
            _release(row)
            return failure.response
        except BaseException:
            _release(row)
            raise
        return response

    contribute_operation_callback(wrapper, _document_header)
    return wrapper


def _is_control(ch: str) -> bool:
    """NUL and the other control characters (C0, DEL, C1): never part of a key, and PostgreSQL cannot store NUL."""
    return unicodedata.category(ch) == "Cc"


def _document_header(operation: Operation) -> None:
    """Declare the header in the OpenAPI document of every idempotent operation."""
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), *IDEMPOTENCY_OPENAPI["parameters"]]
    operation.openapi_extra = extra


def _release(row: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=row.pk, status_code__isnull=True).delete()
