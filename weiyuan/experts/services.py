"""Writing the expert database: profiles (create, edit, the expert's own edit, deactivate, reactivate), conflict
overrides on a case and ratings of finished tasks. One transaction per write, an audit event per change; the facet
index (`ExpertFacet`) is rebuilt in the same transaction, so the matching never sees a half-written profile.

Edits are version-safe: the caller passes the `version` it showed the user; if someone else saved in between,
the edit is refused (409) instead of silently overwriting their change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weiyuan.access.experts import (
    ExpertPermission,
    case_expert_decide,
    database_decide,
    expert_decide,
    keeper_centre_ids,
)
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.models import (
    Availability,
    Expert,
    ExpertConflict,
    ExpertConflictOverride,
    ExpertFacet,
    ExpertRating,
)
from weiyuan.experts.normalise import expert_facet_keys, organisation_key
from weiyuan.experts.validation import CleanExpert, ExpertInput, Lookups, clean_expert
from weiyuan.network.models import Centre

P = ExpertPermission
OVERRIDE_REASON_MIN = 10


def _refuse(decision: Any) -> None:
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


def snapshot(expert: Expert) -> dict[str, Any]:
    """What an audit event records of a profile (lists included, so a change of classes shows)."""
    return {
        "name": expert.name,
        "organisation_name": expert.organisation_name,
        "organisation_credit_code": expert.organisation_credit_code,
        "title": expert.title,
        "credential_number": expert.credential_number,
        "fields": sorted(expert.fields.values_list("code", flat=True)) if expert.pk else [],
        "ipc_classes": expert.ipc_classes,
        "nice_classes": expert.nice_classes,
        "languages": expert.languages,
        "regions": sorted(expert.regions.values_list("code", flat=True)) if expert.pk else [],
        "qualifications": expert.qualifications,
        "availability": expert.availability,
        "busy_until": expert.busy_until,
        "fee_terms": expert.fee_terms,
        "hourly_rate": expert.hourly_rate,
        "user": expert.user_id,
        "active": expert.active,
        "conflicts": [[c.name, c.credit_code] for c in expert.conflicts.all()] if expert.pk else [],
        "version": expert.version,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# --- the facet index ------------------------------------------------------------------------------------------


def facets_rebuild(expert_ids: Sequence[int]) -> int:
    """Rewrite the facet rows of these experts from their profiles (set-based: a few queries for any number)."""
    if not expert_ids:
        return 0
    experts = list(
        Expert.objects_unscoped.filter(pk__in=expert_ids).only(
            "id", "ipc_classes", "nice_classes", "languages", "qualifications", "availability", "active"
        )
    )
    field_codes: dict[int, list[str]] = {}
    for expert_id, code in Expert.fields.through.objects.filter(expert_id__in=expert_ids).values_list(
        "expert_id", "expertfield__code"
    ):
        field_codes.setdefault(expert_id, []).append(code)
    region_codes: dict[int, list[str]] = {}
    for expert_id, code in Expert.regions.through.objects.filter(expert_id__in=expert_ids).values_list(
        "expert_id", "region_id"
    ):
        region_codes.setdefault(expert_id, []).append(code)
    ExpertFacet.objects.filter(expert_id__in=expert_ids).delete()
    rows: list[ExpertFacet] = []
    for e in experts:
        keys = expert_facet_keys(
            field_codes=field_codes.get(e.pk, []),
            ipc_classes=e.ipc_classes,
            nice_classes=e.nice_classes,
            languages=e.languages,
            regions=region_codes.get(e.pk, []),
            qualifications=e.qualifications,
            availability=e.availability,
        )
        rows.extend(ExpertFacet(expert_id=e.pk, key=k, live=e.matchable) for k in sorted(keys))
    ExpertFacet.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- profiles --------------------------------------------------------------------------------------------------


def check_unique(clean: CleanExpert, *, exclude_id: int | None = None) -> dict[str, str]:
    """Same credential number, or same name and affiliation (normalised), as another profile: a duplicate."""
    errors: dict[str, str] = {}
    others = Expert.objects_unscoped.exclude(pk=exclude_id) if exclude_id else Expert.objects_unscoped.all()
    if clean.credential_number:
        other = others.filter(credential_number=clean.credential_number).values_list("pk", "name").first()
        if other:
            errors["credential_number"] = _("与库中专家 %(name)s（编号 %(id)s）的资格证书编号相同。") % {
                "name": other[1],
                "id": other[0],
            }
    other = others.filter(dedupe_key=clean.dedupe_key).values_list("pk", "name").first()
    if other:
        errors["name"] = _("库中已有同名、同单位的专家（编号 %(id)s）；如需更新请编辑该专家。") % {"id": other[0]}
    if clean.user_id is not None:
        linked = others.filter(user_id=clean.user_id).values_list("pk", flat=True).first()
        if linked:
            errors["user_email"] = _("该账户已关联专家（编号 %(id)s）。") % {"id": linked}
    return errors


def _clean_or_raise(data: ExpertInput, *, exclude_id: int | None = None) -> CleanExpert:
    clean, errors = clean_expert(data, Lookups())
    if clean is not None:
        errors = check_unique(clean, exclude_id=exclude_id)
    if errors or clean is None:
        raise ValidationError(errors)
    return clean


def _write_relations(expert: Expert, clean: CleanExpert) -> None:
    expert.fields.set(clean.field_ids)
    expert.regions.set(clean.region_codes)  # type: ignore[arg-type]  # Region's primary key is its code
    expert.conflicts.all().delete()
    ExpertConflict.objects.bulk_create(
        ExpertConflict(
            expert=expert,
            name=c.name,
            name_key=organisation_key(c.name),
            credit_code=c.credit_code,
            note=c.note,
        )
        for c in clean.conflicts
    )


@transaction.atomic
def expert_create(*, actor: Any, centre: Centre, data: ExpertInput) -> Expert:
    _refuse(database_decide(actor, P.CREATE))
    keepers = keeper_centre_ids(actor)
    if keepers is not None and centre.pk not in keepers:
        raise TransitionRefused(_("您只能为本人担任负责人的机构新增专家。"), status=403)
    clean = _clean_or_raise(data)
    expert = Expert.objects_unscoped.create(centre=centre, created_by=actor, **clean.scalar_fields())
    _write_relations(expert, clean)
    facets_rebuild([expert.pk])
    audit_record(actor=actor, action="expert.create", obj=expert, centre_id=centre.pk, after=snapshot(expert))
    return expert


def _lock(expert: Expert, expected_version: int | None) -> Expert:
    locked = Expert.objects_unscoped.select_for_update().get(pk=expert.pk)
    if expected_version is not None and locked.version != expected_version:
        raise TransitionRefused(
            _("该专家资料已被他人修改（当前为第 %(v)s 版），请刷新页面后重新编辑。") % {"v": locked.version},
            status=409,
        )
    return locked


@transaction.atomic
def expert_update(*, expert: Expert, actor: Any, data: ExpertInput, expected_version: int | None) -> Expert:
    """The keeping centre's director (or an admin) edits the whole profile."""
    _refuse(expert_decide(actor, P.EDIT, expert))
    locked = _lock(expert, expected_version)
    before = snapshot(locked)
    clean = _clean_or_raise(data, exclude_id=locked.pk)
    for name, value in clean.scalar_fields().items():
        setattr(locked, name, value)
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    _write_relations(locked, clean)
    facets_rebuild([locked.pk])
    old, new = _changes(before, snapshot(locked))
    audit_record(actor=actor, action="expert.update", obj=locked, centre_id=locked.centre_id, before=old, after=new)
    return locked


@transaction.atomic
def expert_update_own(
    *,
    expert: Expert,
    actor: Any,
    availability: str,
    busy_until: dt.date | None,
    field_codes: Iterable[str],
    languages: Iterable[str],
    expected_version: int | None,
) -> Expert:
    """The expert keeps their own availability, fields and languages up to date; nothing else."""
    _refuse(expert_decide(actor, P.EDIT_OWN, expert))
    locked = _lock(expert, expected_version)
    before = snapshot(locked)
    data = ExpertInput(
        name=locked.name,
        availability=availability,
        busy_until=busy_until,
        fields=list(field_codes),
        languages=list(languages),
    )
    clean, errors = clean_expert(data, Lookups())
    errors = {k: v for k, v in errors.items() if k in {"availability", "busy_until", "fields", "languages"}}
    if errors or clean is None:
        raise ValidationError(errors or {"name": _("专家资料无效，请联系维护机构。")})
    locked.availability = clean.availability
    locked.busy_until = clean.busy_until
    locked.languages = clean.languages
    locked.version = F("version") + 1
    locked.save(update_fields=["availability", "busy_until", "languages", "version", "updated_at"])
    locked.refresh_from_db()
    locked.fields.set(clean.field_ids)
    facets_rebuild([locked.pk])
    old, new = _changes(before, snapshot(locked))
    audit_record(actor=actor, action="expert.update_own", obj=locked, centre_id=locked.centre_id, before=old, after=new)
    return locked


@transaction.atomic
def expert_deactivate(*, expert: Expert, actor: Any, reason: str, expected_version: int | None = None) -> Expert:
    _refuse(expert_decide(actor, P.DEACTIVATE, expert))
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": _("含有不可见的控制字符（NUL），请删除后重新输入。")})
    if not reason:
        raise ValidationError({"reason": _("请写明停用理由（例如：退休、不再执业、本人申请）。")})
    locked = _lock(expert, expected_version)
    if not locked.active:
        raise TransitionRefused(_("该专家已停用。"), status=409)
    locked.active = False
    locked.deactivated_reason = reason
    locked.version = F("version") + 1
    locked.save(update_fields=["active", "deactivated_reason", "version", "updated_at"])
    locked.refresh_from_db()
    ExpertFacet.objects.filter(expert=locked).update(live=False)
    audit_record(
        actor=actor,
        action="expert.deactivate",
        obj=locked,
        centre_id=locked.centre_id,
        before={"active": True},
        after={"active": False, "reason": reason},
    )
    return locked


@transaction.atomic
def expert_reactivate(*, expert: Expert, actor: Any, expected_version: int | None = None) -> Expert:
    _refuse(expert_decide(actor, P.DEACTIVATE, expert))
    locked = _lock(expert, expected_version)
    if locked.active:
        raise TransitionRefused(_("该专家在库，无需恢复。"), status=409)
    locked.active = True
    locked.deactivated_reason = ""
    locked.version = F("version") + 1
    locked.save(update_fields=["active", "deactivated_reason", "version", "updated_at"])
    locked.refresh_from_db()
    ExpertFacet.objects.filter(expert=locked).update(live=locked.matchable)
    audit_record(
        actor=actor,
        action="expert.reactivate",
        obj=locked,
        centre_id=locked.centre_id,
        before={"active": False},
        after={"active": True},
    )
    return locked


# --- on a case -------------------------------------------------------------------------------------------------


@transaction.atomic
def expert_conflict_override(*, case: Case, expert: Expert, actor: Any, reason: str) -> ExpertConflictOverride:
    """The director of the case's centre lets a conflicted expert be considered, with a written reason."""
    from weiyuan.experts.matching import case_parties, conflicts_of

    _refuse(case_expert_decide(actor, P.CONFLICT_OVERRIDE, case))
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": _("含有不可见的控制字符（NUL），请删除后重新输入。")})
    if len(reason) < OVERRIDE_REASON_MIN:
        raise ValidationError(
            {
                "reason": _("请写明豁免理由（至少 %(n)s 个字），例如为何该冲突不影响其独立判断。")
                % {"n": OVERRIDE_REASON_MIN}
            }
        )
    if len(reason) > 2000:
        raise ValidationError({"reason": _("最多 2000 个字。")})
    found = conflicts_of(expert, case_parties(case))
    if not found:
        raise TransitionRefused(_("该专家与本案当事人没有利益冲突，无需豁免。"), status=409)
    if ExpertConflictOverride.objects.filter(case=case, expert=expert).exists():
        raise TransitionRefused(_("已豁免过该专家在本案中的利益冲突。"), status=409)
    conflict_text = "；".join(c.text for c in found)
    override = ExpertConflictOverride.objects.create(
        case=case, expert=expert, conflict=conflict_text, reason=reason, decided_by=actor
    )
    audit_record(
        actor=actor,
        action="expert.conflict_override",
        obj=override,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"expert": expert.pk, "conflict": conflict_text, "reason": reason},
    )
    return override


@transaction.atomic
def expert_rate(*, assignment: CaseAssignment, actor: Any, score: int, comment: str = "") -> ExpertRating:
    """Rate an expert's finished task on a case (1-5), once; the profile keeps the sum and the count."""
    case = Case.objects_unscoped.select_related("centre").get(pk=assignment.case_id)
    _refuse(case_expert_decide(actor, P.RATE, case))
    if assignment.kind != CaseAssignment.Kind.EXPERT:
        raise ValidationError({"assignment": _("只能评价专家任务。")})
    if assignment.ended_at is None:
        raise TransitionRefused(_("任务尚未结束，结束后才能评价。"), status=409)
    expert = Expert.objects_unscoped.filter(user_id=assignment.user_id).first()
    if expert is None:
        raise ValidationError({"assignment": _("承担该任务的账户没有关联专家库中的专家。")})
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("评分应为 1 至 5 的整数。")})
    comment = (comment or "").strip()
    if "\x00" in comment or len(comment) > 2000:
        raise ValidationError({"comment": _("评价最多 2000 字，且不能含有控制字符。")})
    if ExpertRating.objects.filter(assignment=assignment).exists():
        raise TransitionRefused(_("该任务已评价过。"), status=409)
    rating = ExpertRating.objects.create(
        expert=expert, assignment=assignment, score=score, comment=comment, rated_by=actor
    )
    Expert.objects_unscoped.filter(pk=expert.pk).update(
        rating_total=F("rating_total") + score, rating_count=F("rating_count") + 1
    )
    audit_record(
        actor=actor,
        action="expert.rate",
        obj=rating,
        centre_id=case.centre_id,
        case_id=case.pk,
        after={"expert": expert.pk, "score": score},
    )
    return rating


def availability_label(expert: Expert) -> str:
    if expert.availability == Availability.BUSY:
        if expert.busy_on():
            return _("忙碌至 %(date)s") % {"date": expert.busy_until}
        return _("可接受任务（忙碌期已过）")
    return str(Availability(expert.availability).label)
