"""Access to KPIs and dashboards (weiyuan/kpis). Default deny.

- A supervisor of a centre (a higher level, the national guidance centre, CNIPA) sees the dashboard of that centre
  and of every centre below it, the table of the level below with drill-down, the cases behind a figure (read-only,
  as the workbench scopes them) and every export.
- An intake officer, handler or director of a centre sees that centre's own dashboard (its own cases' figures and
  the cases behind them) and the ranking of centres; not the centres below it nor any other.
- Anyone else (applicants, experts, partners, volunteers, editors) sees nothing: the pages answer 404.

The ranking of centres (`kpis:ranking`) is the "public ranking": every centre's name and headline rates, for
staff and supervisors of any centre. A centre the user may not see answers 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role, memberships_of
from weiyuan.core.choices import Role

if TYPE_CHECKING:
    from weiyuan.network.models import Centre


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def supervised_paths(user: Any) -> list[str]:
    return [m.centre_path for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_path]


def supervises(user: Any, centre: Centre) -> bool:
    return _active(user) and any(centre.path.startswith(path) for path in supervised_paths(user))


def can_view_dashboard(user: Any, centre: Centre) -> bool:
    if not _active(user):
        return False
    return supervises(user, centre) or centre.pk in centre_ids_with_role(user, *STAFF_ROLES)


def can_view_ranking(user: Any) -> bool:
    return _active(user) and any(
        m.centre_id and m.role in (*STAFF_ROLES, Role.SUPERVISOR) for m in memberships_of(user)
    )


def has_kpis(user: Any) -> bool:
    """The navigation link: centre staff and supervisors."""
    return can_view_ranking(user)


def home_centre_ids(user: Any) -> list[int]:
    """The dashboards a user starts from: supervised centres first (highest level first), then own centres."""
    if not _active(user):
        return []
    supervised = sorted(
        (m for m in memberships_of(user) if m.role == Role.SUPERVISOR and m.centre_id),
        key=lambda m: (m.centre_path.count("/"), m.centre_path),
    )
    ids = [m.centre_id for m in supervised if m.centre_id is not None]
    ids += sorted(centre_ids_with_role(user, *STAFF_ROLES) - set(ids))
    return ids
