"""Who is calling: a per-user API token (`Authorization: Bearer wy_...`) or the browser's Django session.

Session callers must send the CSRF token for unsafe methods (django-ninja's cookie auth checks it);
token callers need none, since a browser never attaches the header on its own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from weiyuan.accounts.otp import confirmed_device, two_factor_required
from weiyuan.accounts.selectors import api_token_authenticate
from weiyuan.api.errors import ApiError


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token.strip())
        if user is None:
            return None
        # Code below the API (audit context, access module) reads the acting user from the request.
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The logged-in session user (CSRF checked for POST). The web's two-factor middleware leaves /api/ alone, so
    the same rule is applied here: a session that still owes its TOTP step may not use the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if _owes_two_factor(user):
            raise ApiError(403, _("请先在网页上完成两步验证，或改用 API 令牌。"))
        return user


def _owes_two_factor(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return confirmed_device(user) is not None or two_factor_required(user)


token_auth = ApiTokenAuth()
session_auth = ActiveSessionAuth(csrf=True)
API_AUTH = [token_auth, session_auth]
