"""Querysets that refuse to run until scoped by the acting user (the NetBox `restrict()` idea).

`Model.objects.all()` on a scoped model raises UnscopedQueryError when evaluated; views and the API must go
through a selector that calls `.restrict(user)` (which applies the access module's scope) so a forgotten check
fails loudly instead of leaking another centre's cases.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class UnscopedQueryError(RuntimeError):
    pass


class ScopedQuerySet(models.QuerySet[Any]):
    _scoped: bool = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone

    def _check_scoped(self) -> None:
        if not self._scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__} queryset evaluated without an access scope; use a selector"
            )

    def restrict(self, user: Any, action: str = "view") -> Self:
        from weiyuan.access.policy import scope_queryset

        scoped = scope_queryset(self, user, action)
        scoped._scoped = True
        return scoped

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()

    def count(self) -> int:
        self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        self._check_scoped()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scoped()
        return super().iterator(chunk_size=chunk_size)


class ScopedManager(models.Manager[Any]):
    def get_queryset(self) -> ScopedQuerySet:
        return ScopedQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        return self.get_queryset().restrict(user, action)
