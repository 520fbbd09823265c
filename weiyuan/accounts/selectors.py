"""Reads for accounts: API token authentication, profile data, tokens of a user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from weiyuan.accounts.models import ApiToken, Membership, User

API_TOKEN_PREFIX = "wy_"
# last_used_at is written at most this often per token, so a busy client does not write on every request.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_hash(token: str) -> str:
    """SHA-256 hex of a clear token; the only form in which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_authenticate(token: str) -> User | None:
    """The active user owning this clear, unrevoked token, or None. Touches last_used_at at most once a minute."""
    if not token or not token.startswith(API_TOKEN_PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.organisation_id is not None:
        # A partner's token acts only for its organisation, and only while the account still acts for it.
        from weiyuan.partners.models import OrganisationMember

        if not OrganisationMember.objects.filter(
            user_id=row.user_id, organisation_id=row.organisation_id, active=True
        ).exists():
            return None
    # Read by `partners.selectors.acting_organisation`: a token acts for an organisation only if scoped to it.
    row.user._api_token_organisation_id = row.organisation_id  # type: ignore[attr-defined]
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= API_TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row.user


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (with the organisation a partner's token acts for)."""
    return ApiToken.objects.filter(user=user).select_related("organisation").order_by("-created_at", "-id")


def memberships_for_profile(user: User) -> QuerySet[Membership]:
    """The user's active memberships with their centres, for the profile page."""
    return Membership.objects.filter(user=user, active=True).select_related("centre").order_by("id")
