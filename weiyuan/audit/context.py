"""Where the current request comes from, for audit events written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)
