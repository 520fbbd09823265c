"""What django-axes counts login failures against (settings AXES_USERNAME_CALLABLE and AXES_CLIENT_IP_CALLABLE).

Axes keys its counters by the username exactly as typed, so "Wang@example.cn", "wang@example.cn" and "WANG@…" would
each get their own five tries, and "138 1234 5678" and "+86 13812345678" likewise. `lockout_username` maps every
spelling that logs in to the same account onto one key:

- an identifier that belongs to an account (its e-mail in any case, its mobile number in any accepted format, or
  the internal username that axes passes after a successful login) gives that account's key, so an account's
  e-mail and phone share one counter and a successful login resets it;
- the account key, and the key of an identifier without an account, is the lower-cased e-mail address, or for a
  mobile number the keyed `lookup_digest` of the normalised number (no phone number is stored in clear).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from weiyuan.accounts.models import User, lookup_digest
from weiyuan.accounts.services import is_mobile, normalise_phone
from weiyuan.audit.middleware import client_ip

_CACHE_ATTR = "_weiyuan_lockout_keys"


def _account_key(user: User) -> str:
    if user.email:
        return user.email.strip().lower()
    if user.phone_digest:
        return user.phone_digest
    return user.username


def login_key(identifier: str) -> str:
    """The lockout key for what someone typed into the login form's "e-mail or mobile number" field."""
    value = (identifier or "").strip()
    if "@" in value:
        email = value.lower()
        user = User.objects.filter(email__iexact=email).only("email", "phone_digest", "username").first()
        return _account_key(user) if user is not None else email
    phone = normalise_phone(value)
    if is_mobile(phone):
        digest = lookup_digest(phone)
        user = User.objects.filter(phone_digest=digest).only("email", "phone_digest", "username").first()
        return _account_key(user) if user is not None else digest
    user = User.objects.filter(username=value).only("email", "phone_digest", "username").first()
    return _account_key(user) if user is not None else value.lower()


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the canonical key of the submitted identifier (None when none was submitted)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw: Any = None
    if credentials:
        raw = credentials.get(field)
    elif request is not None:
        raw = getattr(request, "POST", {}).get(field)
    if not isinstance(raw, str) or not raw.strip():
        return None
    # Axes asks several times per login attempt; look the account up once per request.
    cache: dict[str, str] | None = getattr(request, _CACHE_ATTR, None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            setattr(request, _CACHE_ATTR, cache)
    if raw not in cache:
        cache[raw] = login_key(raw)
    return cache[raw]


def lockout_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client address, honouring WEIYUAN_TRUSTED_PROXY_COUNT (see `client_ip`)."""
    return client_ip(request)
