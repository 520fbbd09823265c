"""One interface, two engines: SQLite FTS5 for the embedded default, PostgreSQL tsvector + GIN in production."""

from __future__ import annotations

from django.db import connection

from weiyuan.search.backends.base import Backend, Filters, Mode


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from weiyuan.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from weiyuan.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


__all__ = ["Backend", "Filters", "Mode", "backend"]
