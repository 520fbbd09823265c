"""A volunteer's registration: the application (with the confidentiality undertaking's text and time), and the
steps of the declared table (`weiyuan/volunteers/flow.py`): approve (the volunteer role at the centre), decline,
withdraw, suspend, reinstate and end (the role deactivated, open volunteer tasks on the centre's cases ended).
Each is one transaction with an audit event (`volunteers.registration.*`) and a notice through the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.volunteers import may_apply
from weiyuan.accounts.models import Membership, User
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import IPType, Role
from weiyuan.experts.models import ExpertField, Language
from weiyuan.network.models import Centre
from weiyuan.notifications.services import Notice
from weiyuan.volunteers.flow import check_transition
from weiyuan.volunteers.models import (
    OPEN_STATES,
    UNDERTAKING,
    OrganisationKind,
    RegistrationState,
    VolunteerRegistration,
)
from weiyuan.volunteers.services.common import audit, notify, raise_errors, text

S = RegistrationState


@dataclass(frozen=True)
class ApplicationInput:
    organisation_kind: str
    organisation_name: str
    availability: str
    undertaking: bool
    member_number: str = ""
    expertise: list[int] = field(default_factory=list)
    ip_types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    motivation: str = ""


def registration_url(registration: VolunteerRegistration) -> str:
    return f"/volunteers/{registration.pk}/"


def _clean(centre: Centre | None, data: ApplicationInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if centre is None or not centre.takes_cases:
        errors["centre"] = _("请选择一家已备案的援助机构。")
    if data.organisation_kind not in OrganisationKind.values:
        errors["organisation_kind"] = _("请选择所在组织的类型：高校法律诊所或协会、社会组织。")
    clean: dict[str, Any] = {
        "organisation_kind": data.organisation_kind,
        "organisation_name": text(
            errors, "organisation_name", data.organisation_name, max_length=160, required=_("请填写所在组织的名称。")
        ),
        "member_number": text(errors, "member_number", data.member_number, max_length=40),
        "availability": text(
            errors,
            "availability",
            data.availability,
            max_length=300,
            required=_("请填写可以服务的时间，例如：每周二下午、寒暑假。"),
        ),
        "motivation": text(errors, "motivation", data.motivation, max_length=2000),
        "ip_types": sorted(set(data.ip_types)),
        "languages": sorted(set(data.languages)),
    }
    if not set(data.ip_types) <= set(IPType.values):
        errors["ip_types"] = _("知识产权类型不在可选范围内。")
    if not set(data.languages) <= set(Language.values):
        errors["languages"] = _("工作语言不在可选范围内。")
    wanted = set(data.expertise)
    expertise = list(ExpertField.objects.filter(pk__in=wanted))
    if len(expertise) != len(wanted):
        errors["expertise"] = _("专业领域不在可选范围内。")
    clean["expertise"] = expertise
    if data.undertaking is not True:
        errors["undertaking"] = _("请阅读保密承诺并勾选同意，才能提交申请。")
    raise_errors(errors)
    return clean


def _directors(centre_id: int) -> list[Any]:
    return list(
        User.objects.filter(
            memberships__centre_id=centre_id, memberships__role=Role.DIRECTOR, memberships__active=True, is_active=True
        ).distinct()
    )


@transaction.atomic
def registration_apply(*, actor: Any, centre: Centre | None, data: ApplicationInput) -> VolunteerRegistration:
    """Apply to `centre` as a volunteer. One open (pending, serving or suspended) registration per person and centre:
    a second one is refused under the field `centre` (the partial unique index settles a race the same way)."""
    if not may_apply(actor):
        raise TransitionRefused(_("请先登录再申请成为志愿者。"), status=403)
    clean = _clean(centre, data)
    assert centre is not None
    existing = VolunteerRegistration.objects.filter(user=actor, centre=centre, state__in=OPEN_STATES).first()
    if existing is not None:
        raise_errors({"centre": _duplicate_message(existing)})
    expertise = clean.pop("expertise")
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = VolunteerRegistration.objects.create(
                user=actor,
                centre=centre,
                undertaking_text=str(UNDERTAKING),
                undertaking_signed_at=now,
                created_at=now,
                updated_at=now,
                **clean,
            )
    except IntegrityError:
        raise_errors({"centre": _("您已向该机构提交了志愿者申请，请等待审核结果。")})
    registration.expertise.set(expertise)
    audit(
        actor,
        "volunteers.registration.create",
        registration,
        centre.pk,
        after={"organisation": registration.organisation_name, "undertaking_signed_at": now.isoformat()},
    )

    def notice() -> Notice:
        return Notice(
            kind="volunteers.application",
            subject=_("新的志愿者申请：%(name)s") % {"name": actor.display_name or actor.username},
            body=_("%(org)s 的 %(name)s 申请成为本机构的志愿者，请审核。")
            % {"org": registration.organisation_name, "name": actor.display_name or actor.username},
            url=registration_url(registration),
        )

    notify(_directors(centre.pk), notice, f"volunteer:{registration.pk}:applied")
    return registration


def _duplicate_message(existing: VolunteerRegistration) -> str:
    if existing.state == S.PENDING:
        return _("您已向该机构提交了志愿者申请，请等待审核结果。")
    return _("您已是该机构的志愿者（当前状态：%(state)s）。") % {"state": existing.get_state_display()}


def _set_role(registration: VolunteerRegistration, active: bool) -> None:
    membership, _created = Membership.objects.get_or_create(
        user_id=registration.user_id,
        centre_id=registration.centre_id,
        role=Role.VOLUNTEER,
        defaults={"organisation": registration.organisation_name, "active": active},
    )
    if membership.active != active or (active and membership.organisation != registration.organisation_name):
        membership.active = active
        if active:
            membership.organisation = registration.organisation_name
        membership.save(update_fields=["active", "organisation"])
    registration.membership = membership


def _end_tasks(registration: VolunteerRegistration, actor: Any, action: str) -> int:
    """End the volunteer's open tasks on cases of the registration's centre and the centres below it."""
    centre = Centre.objects.get(pk=registration.centre_id)
    tasks = list(
        CaseAssignment.objects.select_for_update(of=("self",))
        .filter(
            user_id=registration.user_id,
            kind=CaseAssignment.Kind.VOLUNTEER,
            ended_at__isnull=True,
            case__centre__path__startswith=centre.path,
        )
        .select_related("case")
        .order_by("id")
    )
    now = timezone.now()
    for task in tasks:
        task.ended_at = now
        task.save(update_fields=["ended_at"])
        case_audit_record(
            case=task.case,
            actor=actor,
            action="case.task_end",
            obj=task,
            after={"user": registration.user_id, "kind": "volunteer", "because": f"volunteer_{action}"},
        )
    return len(tasks)


SUBJECTS = {
    "approve": lambda: _("您的志愿者申请已获批准"),
    "decline": lambda: _("您的志愿者申请未获批准"),
    "suspend": lambda: _("您的志愿服务已暂停"),
    "reinstate": lambda: _("您的志愿服务已恢复"),
    "end": lambda: _("您的志愿服务已终止"),
}


@transaction.atomic
def registration_transition(
    *, registration: VolunteerRegistration, actor: Any, action: str, reason: str = ""
) -> VolunteerRegistration:
    """Take one step of the declared table (row locked). Decline, suspend and end need a written reason."""
    locked = (
        VolunteerRegistration.objects.select_for_update(of=("self",))
        .select_related("centre", "user")
        .get(pk=registration.pk)
    )
    transition = check_transition("registration", locked, action, actor)
    errors: dict[str, str] = {}
    reason = text(errors, "reason", reason, max_length=1000)
    if transition.reason_required and not reason:
        errors["reason"] = _("请写明理由，申请人会收到该理由。")
    raise_errors(errors)
    before = locked.state
    now = timezone.now()
    locked.state = transition.to_state
    locked.updated_at = now
    ended = 0
    if action != "withdraw":
        locked.decided_by, locked.decided_at = actor, now
    if transition.reason_required:
        locked.reason = reason
    if transition.to_state == S.APPROVED:
        _set_role(locked, True)
    elif action in ("suspend", "end"):
        _set_role(locked, False)
        ended = _end_tasks(locked, actor, action)
    locked.save()
    audit(
        actor,
        f"volunteers.registration.{action}",
        locked,
        locked.centre_id,
        before={"state": before},
        after={"state": locked.state, "reason": reason, "tasks_ended": ended},
    )
    if action in SUBJECTS:

        def notice() -> Notice:
            body = _("服务机构：%(centre)s。") % {"centre": locked.centre.display_name}
            if reason:
                body += "\n" + _("理由：%(reason)s") % {"reason": reason}
            return Notice(kind=f"volunteers.{action}", subject=SUBJECTS[action](), body=body, url="/volunteers/mine/")

        notify([locked.user], notice, f"volunteer:{locked.pk}:{action}:{now.isoformat()}")
    return locked
