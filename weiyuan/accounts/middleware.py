from __future__ import annotations

from collections.abc import Callable

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
