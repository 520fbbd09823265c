from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from weiyuan.accounts.models import User, lookup_digest


class EmailOrPhoneBackend(ModelBackend):
    """Log in with an e-mail address or a mobile number (looked up by its keyed digest, never in clear)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        identifier = username.strip()
        if "@" in identifier:
            user = User.objects.filter(email__iexact=identifier).first()
        else:
            user = User.objects.filter(phone_digest=lookup_digest(identifier)).first()
            if user is None:
                user = User.objects.filter(username=identifier).first()
        if user is None:
            User().set_password(password)  # same work either way: no timing hint that the account exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
