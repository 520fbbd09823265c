"""Writing the organisations database: organisations, their service agreements and the accounts that act for them.
One transaction per write, an audit event per change (on the keeping centre's chain), permissions from
`weiyuan.access.partners` (a refusal raises `TransitionRefused` with status 403 and the reason).

A partner account is a user with an active `Membership(role=partner, centre=None)` and an `OrganisationMember`
row linking it to exactly one organisation. Deactivating it ends both, revokes its API tokens and logs it out
everywhere; the user row stays (it may be an existing account that was linked, and history refers to it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.partners import (
    PartnerPermission,
    database_decide,
    keeper_centre_ids,
    organisation_decide,
)
from weiyuan.access.policy import STAFF_ROLES
from weiyuan.accounts.models import ApiToken, Membership, User, lookup_digest
from weiyuan.accounts.services import is_mobile, new_username, normalise_phone
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.core.punctuation import labelled
from weiyuan.core.validators import validate_credit_code
from weiyuan.network.models import Centre, Region
from weiyuan.partners.models import Organisation, OrganisationMember, ServiceAgreement

PP = PartnerPermission


def _refuse(decision: Any) -> None:
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    kind: str
    region: Region
    name_en: str = ""
    credit_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    website: str = ""
    notes: str = ""


SNAPSHOT_FIELDS = [f.name for f in fields(OrganisationInput)] + ["keeper", "active"]


def _snapshot(org: Organisation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        if name in ("region", "keeper"):
            out[name] = getattr(org, f"{name}_id")
        else:
            out[name] = getattr(org, name)
    return out


def _apply(org: Organisation, data: OrganisationInput) -> None:
    for f in fields(OrganisationInput):
        value = getattr(data, f.name)
        setattr(org, f.name, value.strip() if isinstance(value, str) else value)
    org.credit_code = org.credit_code.upper()


def _validate(org: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    if org.credit_code:
        try:
            validate_credit_code(org.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = [_("统一社会信用代码：%(reason)s") % {"reason": " ".join(exc.messages)}]
        else:
            clash = Organisation.objects.filter(credit_code=org.credit_code).exclude(pk=org.pk).first()
            if clash is not None:
                errors["credit_code"] = [_("统一社会信用代码：已登记为合作单位「%(name)s」。") % {"name": clash.name}]
    try:
        org.full_clean(exclude=["keeper", "region", *errors])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, actor: Any, keeper: Centre, data: OrganisationInput) -> Organisation:
    """Record an organisation, kept by `keeper` (one of the actor's own centres)."""
    _refuse(database_decide(actor, PP.CREATE))
    allowed = keeper_centre_ids(actor)
    if allowed is not None and keeper.pk not in allowed:
        raise ValidationError({"keeper": [_("维护机构：只能选择您任职的援助机构。")]})
    org = Organisation(keeper=keeper)
    _apply(org, data)
    _validate(org)
    org.save()
    audit_record(actor=actor, action="partner.create", obj=org, centre_id=keeper.pk, after=_snapshot(org))
    return org


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, data: OrganisationInput) -> Organisation:
    _refuse(organisation_decide(actor, PP.EDIT, organisation))
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(org)
    _apply(org, data)
    _validate(org)
    org.save()
    after = _snapshot(org)
    keys = [k for k in after if before[k] != after[k]]
    if keys:
        audit_record(
            actor=actor,
            action="partner.update",
            obj=org,
            centre_id=org.keeper_id,
            before={k: before[k] for k in keys},
            after={k: after[k] for k in keys},
        )
    return org


@transaction.atomic
def organisation_set_active(*, actor: Any, organisation: Organisation, active: bool) -> Organisation:
    """Retire an organisation (it leaves the default directory; its accounts stop acting for it) or bring it back."""
    _refuse(organisation_decide(actor, PP.EDIT, organisation))
    if organisation.active == active:
        return organisation
    Organisation.objects.filter(pk=organisation.pk).update(active=active, updated_at=timezone.now())
    organisation.active = active
    audit_record(
        actor=actor,
        action="partner.activate" if active else "partner.deactivate",
        obj=organisation,
        centre_id=organisation.keeper_id,
        before={"active": not active},
        after={"active": active},
    )
    return organisation


# --- service agreements -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    centre: Centre
    title: str
    scope: str
    starts_on: dt.date
    ends_on: dt.date | None = None


def _agreement_snapshot(a: ServiceAgreement) -> dict[str, Any]:
    return {
        "centre": a.centre_id,
        "title": a.title,
        "scope": a.scope,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
    }


def _agreement_validate(actor: Any, organisation: Organisation, a: ServiceAgreement) -> None:
    errors: dict[str, list[str]] = {}
    allowed = keeper_centre_ids(actor)
    if allowed is not None and a.centre_id not in allowed | {organisation.keeper_id}:
        errors["centre"] = [_("签约机构：只能选择维护机构或您任职的援助机构。")]
    if a.ends_on is not None and a.starts_on is not None and a.ends_on < a.starts_on:
        errors["ends_on"] = [_("终止日期：不能早于生效日期。")]
    try:
        a.full_clean(exclude=["organisation", "centre", "document", *errors])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_create(*, actor: Any, organisation: Organisation, data: AgreementInput) -> ServiceAgreement:
    _refuse(organisation_decide(actor, PP.EDIT, organisation))
    agreement = ServiceAgreement(
        organisation=organisation,
        centre=data.centre,
        title=data.title.strip(),
        scope=data.scope.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    _agreement_validate(actor, organisation, agreement)
    agreement.save()
    audit_record(
        actor=actor,
        action="partner_agreement.create",
        obj=agreement,
        centre_id=organisation.keeper_id,
        after=_agreement_snapshot(agreement),
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor: Any, agreement: ServiceAgreement, data: AgreementInput) -> ServiceAgreement:
    organisation = agreement.organisation
    _refuse(organisation_decide(actor, PP.EDIT, organisation))
    before = _agreement_snapshot(agreement)
    agreement.centre = data.centre
    agreement.title, agreement.scope = data.title.strip(), data.scope.strip()
    agreement.starts_on, agreement.ends_on = data.starts_on, data.ends_on
    _agreement_validate(actor, organisation, agreement)
    agreement.save()
    after = _agreement_snapshot(agreement)
    keys = [k for k in after if before[k] != after[k]]
    if keys:
        audit_record(
            actor=actor,
            action="partner_agreement.update",
            obj=agreement,
            centre_id=organisation.keeper_id,
            before={k: before[k] for k in keys},
            after={k: after[k] for k in keys},
        )
    return agreement


# --- accounts acting for an organisation --------------------------------------------------------------------------


def _partner_role(user: User, *, active: bool) -> None:
    row = Membership.objects.filter(user=user, role=Role.PARTNER, centre__isnull=True).first()
    if row is None:
        if active:
            Membership.objects.create(user=user, role=Role.PARTNER, centre=None)
        return
    if row.active != active:
        Membership.objects.filter(pk=row.pk).update(active=active)


def _member_snapshot(member: OrganisationMember) -> dict[str, Any]:
    return {"user": member.user_id, "organisation": member.organisation_id, "active": member.active}


def _field_label(name: str) -> str:
    try:
        return str(getattr(User._meta.get_field(name), "verbose_name", name))
    except Exception:  # noqa: BLE001 - a non-field error key
        return name


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def member_create(
    *, actor: Any, organisation: Organisation, display_name: str, email: str, phone: str = ""
) -> tuple[OrganisationMember, str]:
    """A new partner account for the organisation; returns the member row and an initial password, shown once to
    the director, who hands it over (the partner changes it on the profile page)."""
    _refuse(organisation_decide(actor, PP.MANAGE_MEMBERS, organisation))
    display_name, email = (display_name or "").strip(), (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not display_name:
        errors["display_name"] = [_("姓名：请填写使用该账户的人员姓名。")]
    elif len(display_name) > 120:
        errors["display_name"] = [_("姓名：最多 120 个字符。")]
    if not email:
        errors["email"] = [_("电子邮箱：请填写，用于登录。")]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("电子邮箱：该邮箱已有账户，请改用“关联已有账户”。")]
    phone = normalise_phone(phone) if phone else ""
    if phone and not is_mobile(phone):
        errors["phone"] = [_("手机号：请填写 11 位手机号码。")]
    elif phone and User.objects.filter(phone_digest=lookup_digest(phone)).exists():
        errors["phone"] = [_("手机号：该号码已有账户，请改用“关联已有账户”。")]
    if errors:
        raise ValidationError(errors)
    password = _new_password()
    user = User(username=new_username(), display_name=display_name, email=email, organisation_name=organisation.name)
    if phone:
        user.phone, user.phone_digest = phone, lookup_digest(phone)
    try:
        user.full_clean(exclude=["password", "username", "phone_digest"])
    except ValidationError as exc:
        errors = {k: [labelled(_field_label(k), m) for m in v] for k, v in exc.message_dict.items()}
        raise ValidationError(errors) from exc
    user.set_password(password)
    user.save()
    _partner_role(user, active=True)
    member = OrganisationMember.objects.create(organisation=organisation, user=user)
    audit_record(
        actor=actor,
        action="partner_member.create",
        obj=member,
        centre_id=organisation.keeper_id,
        after=_member_snapshot(member),
    )
    return member, password


@transaction.atomic
def member_link(*, actor: Any, organisation: Organisation, email: str) -> OrganisationMember:
    """Let an existing account act for the organisation. Applicant, staff, expert and volunteer accounts may not
    (one account, one standing); an account acting for another organisation must be deactivated there first."""
    _refuse(organisation_decide(actor, PP.MANAGE_MEMBERS, organisation))
    email = (email or "").strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None:
        raise ValidationError({"email": [_("电子邮箱：没有使用该邮箱的有效账户。")]})
    other_roles = Membership.objects.filter(user=user, active=True).exclude(role=Role.PARTNER).exists()
    if user.is_applicant or other_roles or user.is_superuser:
        raise ValidationError({"email": [_("电子邮箱：该账户是申请人、工作人员或专家等账户，不能同时代表合作单位。")]})
    member = OrganisationMember.objects.select_for_update().filter(user=user).first()
    before = _member_snapshot(member) if member else None
    if member is not None and member.active and member.organisation_id != organisation.pk:
        raise ValidationError({"email": [_("电子邮箱：该账户正代表另一合作单位，请先在那里停用。")]})
    if member is not None and member.active:
        return member  # already acting for this organisation
    if member is None:
        member = OrganisationMember.objects.create(organisation=organisation, user=user)
    else:
        OrganisationMember.objects.filter(pk=member.pk).update(organisation=organisation, active=True)
        member.organisation, member.active = organisation, True
    _partner_role(user, active=True)
    audit_record(
        actor=actor,
        action="partner_member.link",
        obj=member,
        centre_id=organisation.keeper_id,
        before=before,
        after=_member_snapshot(member),
    )
    return member


@transaction.atomic
def member_set_active(*, actor: Any, member: OrganisationMember, active: bool) -> OrganisationMember:
    """Deactivate an account (partner role ended, its API tokens revoked, logged out everywhere) or reactivate it."""
    organisation = member.organisation
    _refuse(organisation_decide(actor, PP.MANAGE_MEMBERS, organisation))
    if member.active == active:
        return member
    OrganisationMember.objects.filter(pk=member.pk).update(active=active)
    member.active = active
    _partner_role(member.user, active=active)
    revoked = 0
    if not active:
        revoked = ApiToken.objects.filter(user_id=member.user_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        User.objects.filter(pk=member.user_id).update(session_generation=F("session_generation") + 1)
    audit_record(
        actor=actor,
        action="partner_member.activate" if active else "partner_member.deactivate",
        obj=member,
        centre_id=organisation.keeper_id,
        before={"active": not active},
        after={"active": active, "tokens_revoked": revoked},
    )
    return member


def keeper_staff_users(organisation: Organisation) -> Any:
    """Staff of the keeping centre (for notices about the organisation)."""
    return User.objects.filter(
        is_active=True,
        memberships__centre_id=organisation.keeper_id,
        memberships__role__in=STAFF_ROLES,
        memberships__active=True,
    ).distinct()
