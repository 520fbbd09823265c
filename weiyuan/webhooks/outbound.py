"""Signing and sending one webhook POST, and the check of where we may POST at all.

Signature (the receiver's side is in docs/partners.md):
    X-Weiyuan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
The timestamp is inside the signed text, so a captured request cannot be replayed later with a fresh `t`; the
receiver rejects a `t` more than five minutes away from its clock.

Outbound URLs are a server-side request forgery risk: an endpoint pointing at 127.0.0.1, the metadata service
(169.254.169.254) or the office network would make this server probe them. So only http(s) is allowed, no user
name or password in the URL, and in production every address the host resolves to must be public — checked when
the endpoint is saved and again before every POST (DNS can change in between). Redirects are not followed (a 3xx
counts as a failure) so a public URL cannot bounce the request inward. `settings.DEBUG` or
`WEBHOOKS_ALLOW_PRIVATE` lift the address rule for development and tests, which use a local receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Weiyuan-Signature"
EVENT_HEADER = "X-Weiyuan-Event"
DELIVERY_HEADER = "X-Weiyuan-Delivery"
# How far a receiver should let the signed timestamp drift from its clock (documented; used by `signature_verify`).
SIGNATURE_TOLERANCE_SECONDS = 300
RESPONSE_EXCERPT_CHARS = 500


class UnsafeUrl(ValueError):
    """The URL may not be used for a webhook; the message says why (for the `url` field)."""


def private_addresses_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_check(url: str, *, resolve: bool = True) -> str:
    """The URL, stripped, if a webhook may be sent there; raises UnsafeUrl with the reason otherwise."""
    url = (url or "").strip()
    if not url:
        raise UnsafeUrl(_("请填写接收地址。"))
    if len(url) > 500:
        raise UnsafeUrl(_("接收地址最多 500 个字符。"))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(_("接收地址格式不正确。")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(_("接收地址只能以 http:// 或 https:// 开头。"))
    if not parts.hostname:
        raise UnsafeUrl(_("接收地址缺少主机名。"))
    if parts.username or parts.password:
        raise UnsafeUrl(_("接收地址不能包含用户名或密码；请用签名密钥验证请求。"))
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UnsafeUrl(_("接收地址不能包含空格或控制字符。"))
    if private_addresses_allowed() or not resolve:
        return url
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(_("无法解析接收地址的主机名 %(host)s。") % {"host": host}) from exc
    for info in infos:
        if not _is_public(str(info[4][0])):
            raise UnsafeUrl(_("接收地址指向内网、本机或保留地址，不允许使用。"))
    return url


def body_bytes(envelope: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8 (Chinese not escaped)."""
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_verify(
    *, secret: str, body: bytes, header: str, now: float | None = None, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """The receiver's check (a reference implementation, also used by the tests): the header parses, its timestamp
    is within `tolerance` seconds of now, and one of its `v1` signatures matches in constant time."""
    try:
        items = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(next(value for key, value in items if key.strip() == "t"))
        signatures = [value.strip() for key, value in items if key.strip() == "v1"]
    except (ValueError, StopIteration):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, sig) for sig in signatures)


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx comes back as an HTTPError and counts as a failed attempt


_OPENER = urllib.request.build_opener(_NoRedirect)


def _excerpt(raw: bytes) -> str:
    return raw[: RESPONSE_EXCERPT_CHARS * 4].decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]


def post(*, url: str, secret: str, event: str, delivery_uuid: str, body: bytes, timestamp: int) -> PostResult:
    """POST once, with a short timeout; never raises for network trouble (it is reported in the result)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        url_check(url)
    except UnsafeUrl as exc:
        return PostResult(None, 0, error=str(exc))
    # url_check above allows http(s) only.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "weiyuan-webhooks/1",
            SIGNATURE_HEADER: signature_header(secret=secret, body=body, timestamp=timestamp),
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_uuid,
        },
    )
    timeout = float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            raw = response.read(RESPONSE_EXCERPT_CHARS * 4)
            return PostResult(response.status, elapsed(), response_excerpt=_excerpt(raw))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(RESPONSE_EXCERPT_CHARS * 4)
        except Exception:  # noqa: BLE001 - the body of an error answer is only a courtesy
            raw = b""
        return PostResult(exc.code, elapsed(), error=f"HTTP {exc.code}", response_excerpt=_excerpt(raw))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return PostResult(None, elapsed(), error=f"{type(exc).__name__}: {reason}"[:500])
