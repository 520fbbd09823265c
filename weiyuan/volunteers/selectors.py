"""Reading volunteers, scoped by the acting user (weiyuan/access/volunteers.py): a director's registrations (pending
applications and volunteers, each with this year's confirmed hours, training hours and consultation drafts in one
query per page), one registration (404 otherwise), hours and their yearly totals, the hours awaiting a user's
confirmation, a volunteer's consultation drafts (weiyuan/consultations, read as they are), and the staff
qualifications and volunteers shown on the training roster."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from weiyuan.access.volunteers import (
    VolunteerPermission,
    director_centre_ids,
    hours_decide,
    volunteer_decide,
)
from weiyuan.consultations.models import Answer, AnswerState
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre
from weiyuan.training.models import TrainingCredit
from weiyuan.volunteers.models import (
    HoursState,
    RegistrationState,
    StaffQualification,
    VolunteerHours,
    VolunteerRegistration,
)

P = VolunteerPermission
HOURS = DecimalField(max_digits=8, decimal_places=1)
ZERO = Value(Decimal("0.0"))
SERVING = (RegistrationState.APPROVED, RegistrationState.SUSPENDED)
DRAFT_STATES = {"drafts_submitted": AnswerState.SUBMITTED, "drafts_returned": AnswerState.RETURNED}


def _sum(qs: QuerySet[Any], column: str) -> Any:
    total = qs.order_by().values("user_id").annotate(t=Sum(column)).values("t")
    return Coalesce(Subquery(total, output_field=HOURS), ZERO, output_field=HOURS)


def _count(qs: QuerySet[Any]) -> Any:
    n = qs.order_by().values("volunteer_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(n, output_field=IntegerField()), Value(0))


def _drafts_q(user_ref: Any, centre_path_ref: Any | None) -> Q:
    q = Q(volunteer_id=user_ref)
    if centre_path_ref is not None:
        q &= Q(question__consultation__case__centre__path__startswith=centre_path_ref)
    return q


def with_figures(qs: QuerySet[VolunteerRegistration], *, year: int) -> QuerySet[VolunteerRegistration]:
    """Each registration with the volunteer's confirmed and pending hours of `year` at its centre, training hours of
    `year` (weiyuan/training) and consultation drafts on its centre's cases by state — subqueries, so a page is one
    query whatever its length."""
    own = VolunteerHours.objects.filter(registration_id=OuterRef("pk"), year=year)
    drafts = _drafts_q(OuterRef("user_id"), OuterRef("centre__path"))
    annotations: dict[str, Any] = {
        "hours_confirmed": _sum(own.filter(state=HoursState.CONFIRMED), "hours"),
        "hours_pending": _sum(own.filter(state=HoursState.SUBMITTED), "hours"),
        "training_hours": _sum(TrainingCredit.objects.filter(user_id=OuterRef("user_id"), year=year), "hours"),
        "drafts_approved": _count(Answer.objects.filter(drafts, state=AnswerState.SENT)),
    }
    for name, state in DRAFT_STATES.items():
        annotations[name] = _count(Answer.objects.filter(drafts, state=state))
    return qs.annotate(**annotations)


def director_registrations(*, user: Any, centre: Centre | None, pending: bool, year: int) -> Any:
    """The registrations of the centres the user directs (or of one of them): pending applications, or the
    volunteers (serving and suspended)."""
    ids = director_centre_ids(user)
    if centre is not None:
        ids &= {centre.pk}
    states = (RegistrationState.PENDING,) if pending else SERVING
    qs = (
        VolunteerRegistration.objects.filter(centre_id__in=ids, state__in=states)
        .select_related("user", "centre")
        .order_by("-created_at", "-id" if pending else "user__display_name", "id")
    )
    return qs if pending else with_figures(qs, year=year)


def registration_get(*, user: Any, pk: int) -> VolunteerRegistration:
    registration = VolunteerRegistration.objects.select_related("user", "centre").filter(pk=pk).first()
    if registration is None or not volunteer_decide(user, P.VIEW, registration):
        raise Http404("volunteer registration not found")
    return registration


def my_registrations(*, user: Any) -> list[VolunteerRegistration]:
    return list(
        VolunteerRegistration.objects.filter(user=user).select_related("centre").order_by("-created_at", "-id")[:50]
    )


def hours_list(*, registration: VolunteerRegistration) -> QuerySet[VolunteerHours]:
    """Callers have checked the user may view the registration."""
    return registration.hours.select_related("case", "decided_by").order_by("-worked_on", "-id")


def my_hours(*, user: Any) -> QuerySet[VolunteerHours]:
    return (
        VolunteerHours.objects.filter(user=user)
        .select_related("case", "centre", "decided_by")
        .order_by("-worked_on", "-id")
    )


def hours_totals(qs: QuerySet[VolunteerHours]) -> list[dict[str, Any]]:
    """Per year, newest first: confirmed and pending hours."""
    rows = (
        qs.order_by("-year")
        .values("year")
        .annotate(
            confirmed=Coalesce(Sum("hours", filter=Q(state=HoursState.CONFIRMED)), ZERO, output_field=HOURS),
            pending=Coalesce(Sum("hours", filter=Q(state=HoursState.SUBMITTED)), ZERO, output_field=HOURS),
        )
    )
    return [dict(row) for row in rows]


def hours_get(*, user: Any, pk: int) -> VolunteerHours:
    entry = VolunteerHours.objects.select_related("case", "registration").filter(pk=pk).first()
    if entry is None or not hours_decide(user, P.HOURS_VIEW, entry):
        raise Http404("hours entry not found")
    return entry


def hours_to_confirm(*, user: Any) -> QuerySet[VolunteerHours]:
    """Entries awaiting confirmation by the user: their centres' as director, case work on their cases as handler."""
    q = Q(centre_id__in=director_centre_ids(user)) | Q(case__handler_id=user.pk)
    return (
        VolunteerHours.objects.filter(q, state=HoursState.SUBMITTED)
        .exclude(user_id=user.pk)
        .select_related("user", "centre", "case")
        .order_by("worked_on", "id")
    )


def drafts(*, volunteer_id: int, centre: Centre | None = None) -> QuerySet[Answer]:
    """A volunteer's consultation drafts that reached the handler (submitted, returned, sent), newest first; for a
    director, those on the cases of the centre and the centres below it."""
    qs = Answer.objects.filter(
        _drafts_q(volunteer_id, centre.path if centre else None),
        state__in=[AnswerState.SUBMITTED, AnswerState.RETURNED, AnswerState.SENT],
    )
    return qs.select_related("question__consultation__case").order_by("-updated_at", "-id")


def draft_counts(qs: QuerySet[Answer]) -> dict[str, int]:
    counts = {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}
    return {
        "submitted": counts.get(AnswerState.SUBMITTED, 0),
        "returned": counts.get(AnswerState.RETURNED, 0),
        "approved": counts.get(AnswerState.SENT, 0),
    }


# --- the training roster (weiyuan/training/selectors.py roster, weiyuan/templates/training/roster.html) ---------


def qualifications_prefetch(centre: Centre) -> Prefetch:
    """For a queryset of memberships (`user` selected): the member's qualifications at `centre` as `user.quals`."""
    return Prefetch(
        "user__staff_qualifications",
        queryset=StaffQualification.objects.filter(centre=centre).order_by("kind", "id"),
        to_attr="quals",
    )


def roster_volunteers(*, centre: Centre, year: int) -> QuerySet[VolunteerRegistration]:
    """The centre's volunteers (serving and suspended) with their figures of `year`, for the roster's second part."""
    qs = (
        VolunteerRegistration.objects.filter(centre=centre, state__in=SERVING)
        .select_related("user", "centre")
        .order_by("user__display_name", "id")
    )
    return with_figures(qs, year=year)


def staff_choices(*, centre: Centre) -> list[Any]:
    """The centre's active staff (for adding a qualification)."""
    from weiyuan.accounts.models import User

    return list(
        User.objects.filter(
            memberships__centre=centre,
            memberships__active=True,
            memberships__role__in=[Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR],
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "id")
    )


def qualification_get(*, pk: int) -> StaffQualification:
    """Unscoped: callers decide with weiyuan/access/volunteers.py and answer 404."""
    found = StaffQualification.objects.select_related("certificate", "user").filter(pk=pk).first()
    if found is None:
        raise Http404("qualification not found")
    return found


def annotate_expired(quals: list[StaffQualification], today: Any) -> list[StaffQualification]:
    for q in quals:
        q.expired = q.valid_until is not None and q.valid_until < today  # type: ignore[attr-defined]
    return quals
