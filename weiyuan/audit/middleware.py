from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from weiyuan.audit.context import current_ip


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail and the login lockout.

    With `WEIYUAN_TRUSTED_PROXY_COUNT` = 0 (the default: nothing in front of the application server) this is
    REMOTE_ADDR; X-Forwarded-For is ignored, since any client can send it. Behind N trusted reverse proxies each one
    appends the address it received the request from, so the client is the N-th entry from the right of
    X-Forwarded-For; entries further left were written by the client and are never read. A header with fewer
    than N entries (a request that did not pass every proxy) or a malformed entry falls back to REMOTE_ADDR.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    hops = int(getattr(settings, "WEIYUAN_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    return _valid_ip(forwarded[-hops]) or remote


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
