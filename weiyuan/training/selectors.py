"""Reading training, scoped by the acting user (weiyuan/access/training.py): the events a user may see, one event
(404 otherwise), its registrations, one's own registrations and hours, and a centre's staff roster with each
member's training hours of a year (its director only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from weiyuan.access.training import can_view_event, event_scope_q, roster_decide
from weiyuan.accounts.models import Membership
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre
from weiyuan.training.models import Registration, RegistrationState, TrainingCredit, TrainingEvent

HOURS = DecimalField(max_digits=8, decimal_places=1)


def event_list(*, user: Any) -> QuerySet[TrainingEvent]:
    return TrainingEvent.objects.filter(event_scope_q(user)).select_related("centre").order_by("-starts_at", "-id")


def event_get(*, user: Any, pk: int) -> TrainingEvent:
    event = TrainingEvent.objects.select_related("centre").filter(pk=pk).first()
    if event is None or not can_view_event(user, event):
        raise Http404("training event not found")
    return event


def event_registrations(*, event: TrainingEvent) -> list[Registration]:
    """The current registrations with their credited hours (callers have checked the user manages the event)."""
    return list(
        event.registrations.filter(state=RegistrationState.REGISTERED)
        .select_related("user", "credit")
        .order_by("registered_at", "id")
    )


def seats_taken(*, event: TrainingEvent) -> int:
    return event.registrations.filter(state=RegistrationState.REGISTERED).count()


def own_registration(*, user: Any, event: TrainingEvent) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return event.registrations.filter(user=user, state=RegistrationState.REGISTERED).first()


def my_registrations(*, user: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__centre", "credit")
        .order_by("-event__starts_at", "-id")
    )


def hours_by_year(*, user: Any) -> list[dict[str, Any]]:
    """The user's credited hours per year, newest first."""
    rows = TrainingCredit.objects.filter(user=user).order_by("-year").values("year").annotate(total=Sum("hours"))
    return [{"year": row["year"], "total": row["total"]} for row in rows]


def roster_centre_get(*, user: Any, code: str) -> Centre:
    centre = Centre.objects.filter(code=code).first()
    if centre is None or not roster_decide(user, centre):
        raise Http404("centre not found")
    return centre


def roster(*, centre: Centre, year: int) -> QuerySet[Membership]:
    """The centre's active staff memberships (volunteers are the roster's second part, weiyuan/volunteers), each with
    the member's training hours of `year` and their qualifications at the centre as `user.quals` (two queries a
    page)."""
    from weiyuan.volunteers.selectors import qualifications_prefetch

    hours = (
        TrainingCredit.objects.filter(user_id=OuterRef("user_id"), year=year)
        .order_by()
        .values("user_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return (
        Membership.objects.filter(centre=centre, active=True)
        .exclude(role=Role.VOLUNTEER)
        .select_related("user")
        .prefetch_related(qualifications_prefetch(centre))
        .annotate(
            training_hours=Coalesce(Subquery(hours, output_field=HOURS), Value(Decimal("0.0")), output_field=HOURS)
        )
        .order_by("role", "user__username", "id")
    )


def event_materials(*, event: TrainingEvent) -> list[Any]:
    """The event's materials that are (still) published, with their live version's title."""
    from weiyuan.knowledge.models import KnowledgeItem
    from weiyuan.training.services.events import material_ids

    ids = material_ids(event)
    if not ids:
        return []
    return list(KnowledgeItem.objects.published().filter(pk__in=ids).select_related("published_version"))
