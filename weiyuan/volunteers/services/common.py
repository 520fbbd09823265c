"""Shared by the volunteer services: the audit event, notices through the outbox, text checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.cases.services.intake import NUL, nul_message
from weiyuan.notifications.services import Notice, outbox_enqueue


def audit(actor: Any, action: str, obj: Any, centre_id: int, before: Any = None, after: Any = None) -> None:
    audit_record(actor=actor, action=action, obj=obj, centre_id=centre_id, before=before, after=after)


def notify(recipients: Iterable[Any], notice: Callable[[], Notice], dedupe_key: str) -> None:
    """Queued in the caller's transaction: a write that rolls back sends nothing."""
    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=dedupe_key)


def text(errors: dict[str, str], name: str, value: Any, *, max_length: int, required: str = "") -> str:
    """The stripped text of a field, or an error under the field's name (NUL, too long, missing when required)."""
    value = str(value or "").strip()
    if NUL in value:
        errors[name] = nul_message()
    elif len(value) > max_length:
        errors[name] = _("最多 %(n)s 个字。") % {"n": max_length}
    elif required and not value:
        errors[name] = required
    return value


def raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
