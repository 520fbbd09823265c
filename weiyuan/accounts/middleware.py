from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_GENERATION_KEY = "weiyuan_session_generation"


class SessionGuardMiddleware:
    """Ends sessions opened before the user's last "log out everywhere"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            generation = request.session.get(SESSION_GENERATION_KEY)
            if generation is None:
                request.session[SESSION_GENERATION_KEY] = user.session_generation
            elif generation != user.session_generation:
                logout(request)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Sends users who must use two-factor (directors, platform admins) or who have enabled it to the TOTP pages
    until this session is OTP-verified: to set-up when they have no confirmed device yet, else to verify.

    Exempt: log in/out, the two-factor pages, static files, /healthz, /i18n/ and the API (token-authenticated).
    Must come after OTPMiddleware (which sets `request.user.is_verified`).
    """

    EXEMPT_PREFIXES = ("/healthz", "/i18n/", "/api/")
    EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", "accounts:two_factor_setup", "accounts:two_factor_verify")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt_paths: tuple[str, ...] = ()
        self._exempt_exact: set[str] = set()

    def _exempt(self, path: str) -> bool:
        if not self._exempt_paths:  # URLs are resolved on first use: the URLconf is not loaded at start-up
            from django.conf import settings
            from django.urls import reverse

            static = settings.STATIC_URL or "/static/"
            static = static if static.startswith("/") else f"/{static}"
            self._exempt_paths = (static, *self.EXEMPT_PREFIXES)
            self._exempt_exact = {reverse(name) for name in self.EXEMPT_URL_NAMES}
        return path in self._exempt_exact or path.startswith(self._exempt_paths)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path_info):
            target = self._redirect_target(user)
            if target is not None:
                return self._redirect(request, target)
        return self.get_response(request)

    @staticmethod
    def _redirect_target(user: Any) -> str | None:
        from weiyuan.accounts.otp import confirmed_device, two_factor_required

        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        if confirmed_device(user) is not None:
            return "accounts:two_factor_verify"
        if two_factor_required(user):
            return "accounts:two_factor_setup"
        return None

    @staticmethod
    def _redirect(request: HttpRequest, url_name: str) -> HttpResponse:
        from urllib.parse import urlencode

        from django.http import HttpResponseRedirect
        from django.urls import reverse
        from django_htmx.http import HttpResponseClientRedirect

        next_url = request.get_full_path() if request.method == "GET" else "/"
        url = f"{reverse(url_name)}?{urlencode({'next': next_url})}"
        if request.headers.get("HX-Request") == "true":  # HtmxMiddleware runs later; read the header itself
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
