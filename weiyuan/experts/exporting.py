"""Writing expert workbooks: the import template and the export of a list. openpyxl's `write_only` mode streams
rows to the file, and the export reads the profiles in chunks, so 50,000 experts take no more memory than 2,000.

The export has the import's columns in the import's order, plus the read-only columns 维护机构 / 平均评分 /
评分次数 that the import ignores: an exported file can be edited and imported back as it is (its 专家编号 column
makes every row an update)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from weiyuan.access.experts import ExpertPermission, database_decide
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.columns import COLUMNS, READONLY_HEADERS
from weiyuan.experts.models import Availability, Expert, ExpertField, Language, Qualification

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header_row(sheet: Any, headers: Iterable[str]) -> list[Any]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def write_template(fileobj: IO[bytes]) -> None:
    """The header row and one example row, then a sheet explaining each column and the allowed values."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("专家"))
    sheet.append(_header_row(sheet, [c.header for c in COLUMNS]))
    sheet.append([c.example for c in COLUMNS])
    notes = workbook.create_sheet(_("填写说明"))
    notes.append(_header_row(notes, [_("列"), _("说明")]))
    for column in COLUMNS:
        notes.append([column.header + (_("（必有此列）") if column.required else ""), str(column.help)])
    notes.append([])
    notes.append(_header_row(notes, [_("专业领域"), _("代码")]))
    for f in ExpertField.objects.order_by("kind", "position", "code"):
        notes.append([f.name, f.code])
    notes.append([])
    notes.append(_header_row(notes, [_("工作语言"), _("代码")]))
    for code, label in Language.choices:
        notes.append([str(label), code])
    notes.append([])
    notes.append(_header_row(notes, [_("资格"), _("可用状态")]))
    quals = [str(label) for _c, label in Qualification.choices]
    states = [str(label) for _c, label in Availability.choices]
    for i in range(max(len(quals), len(states))):
        notes.append([quals[i] if i < len(quals) else "", states[i] if i < len(states) else ""])
    workbook.save(fileobj)


def _row(expert: Expert) -> list[Any]:
    regions = [f"{r.full_name or r.name}({r.code})" for r in expert.regions.all()]
    values = {
        "id": expert.pk,
        "name": expert.name,
        "organisation_name": expert.organisation_name,
        "organisation_credit_code": expert.organisation_credit_code,
        "title": expert.title,
        "credential_number": expert.credential_number,
        "fields": "、".join(f.name for f in expert.fields.all()),
        "ipc_classes": "; ".join(expert.ipc_classes),
        "nice_classes": ", ".join(str(n) for n in expert.nice_classes),
        "languages": "、".join(str(Language(c).label) for c in expert.languages if c in Language.values),
        "regions": "、".join(regions),
        "qualifications": "、".join(
            str(Qualification(q).label) for q in expert.qualifications if q in Qualification.values
        ),
        "availability": str(Availability(expert.availability).label),
        "busy_until": expert.busy_until,
        "fee_terms": expert.fee_terms,
        "hourly_rate": float(expert.hourly_rate) if expert.hourly_rate is not None else None,
        # 名称|统一社会信用代码|说明 (empty trailing parts dropped), as the import reads it.
        "conflicts": "; ".join("|".join((c.name, c.credit_code, c.note)).rstrip("|") for c in expert.conflicts.all()),
        "user_email": expert.user.email if expert.user_id and expert.user else "",
        "active": _("是") if expert.active else _("否"),
    }
    average = expert.rating_average
    return [values[c.attr] for c in COLUMNS] + [
        expert.centre.name,
        round(average, 2) if average is not None else None,
        expert.rating_count,
    ]


def write_export(fileobj: IO[bytes], experts: QuerySet[Expert]) -> int:
    """Every expert of the (already scoped and filtered) queryset, one row each; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("专家"))
    sheet.append(_header_row(sheet, [c.header for c in COLUMNS] + list(READONLY_HEADERS)))
    n = 0
    rows = (
        experts.select_related("centre", "user")
        .prefetch_related("fields", "regions", "conflicts")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    for expert in rows:
        sheet.append(_row(expert))
        n += 1
    workbook.save(fileobj)
    return n


def expert_export(*, actor: Any, filters: Any, fileobj: IO[bytes]) -> int:
    """The user's filtered list as a workbook (directors and admins); the export is audited (personal data leaves
    the platform). `actor=None` is the operator's `manage.py experts_export`: the whole database."""
    from weiyuan.experts.selectors import expert_list

    if actor is None:
        experts = (
            Expert.objects_unscoped.filter(active=True) if filters.active == "1" else Expert.objects_unscoped.all()
        )
    else:
        decision = database_decide(actor, ExpertPermission.EXPORT)
        if not decision:
            raise TransitionRefused(decision.reason, status=403)
        experts = expert_list(user=actor, filters=filters)
    n = write_export(fileobj, experts)
    with transaction.atomic():
        audit_record(
            actor=actor, action="expert.export", object_type="experts.expert", after={"rows": n, **asdict(filters)}
        )
    return n
