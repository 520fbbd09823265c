"""Importing experts from an Excel workbook (.xlsx), row by row, with every problem named by row and column.

The file is read twice, streaming (openpyxl `read_only`, so a 50,000-row file never sits in memory): the first
pass checks every row and builds the report; if there is no problem — or the user chose to import only the valid
rows — the second pass writes the valid rows in batches of 1,000, all in one transaction. A file with problems
imports nothing unless `valid_only` is set.

Upsert rules:
- a row with 专家编号 updates that expert (it must exist, and be kept by a centre the user directs, or the user is
  a platform admin); a row without it creates a new expert kept by the chosen centre;
- a new row that matches an existing expert (same 资格证书编号, or the same 姓名 and 所属单位 after normalising)
  is a duplicate: the report names the expert's number so the user can fill 专家编号 to update it instead;
- two rows of one file for the same expert (same 专家编号, 资格证书编号, or 姓名 + 所属单位) are duplicates too;
- an update replaces the columns present in the file (an empty cell clears that value); columns absent from the
  file leave the expert's values as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from weiyuan.access.experts import ExpertPermission, database_decide, keeper_centre_ids
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.columns import COLUMNS, COLUMNS_BY_KEY, READONLY_KEYS, Column, header_key
from weiyuan.experts.models import Expert, ExpertConflict
from weiyuan.experts.normalise import organisation_key, split_list
from weiyuan.experts.services import facets_rebuild
from weiyuan.experts.validation import CleanExpert, ConflictInput, ExpertInput, Lookups, clean_expert
from weiyuan.network.models import Centre

MAX_ROWS = 100_000
MAX_ERRORS = 1_000
BATCH = 1_000
FIELD_COLUMN = {c.attr: c.header for c in COLUMNS}
CONFLICT_SPLIT = ";；\n"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    @property
    def message(self) -> str:
        if self.column:
            return _("第 %(row)s 行，%(column)s：%(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        return _("第 %(row)s 行：%(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class ImportReport:
    rows_total: int = 0
    rows_valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows_with_errors: int = 0
    file_error: str = ""  # the file itself could not be read, or its header row is wrong
    created: int = 0
    updated: int = 0
    saved: bool = False
    valid_only: bool = False
    sha256: str = ""

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def add(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, reason))


class ImportFileError(ValueError):
    pass


# --- reading --------------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _open_rows(fileobj: IO[bytes]) -> tuple[Any, Iterator[tuple[Any, ...]]]:
    fileobj.seek(0)
    if fileobj.read(4) != b"PK\x03\x04":
        raise ImportFileError(_("文件不是 Excel 工作簿（.xlsx）：请用模板填写后另存为 .xlsx 格式。"))
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("无法读取该 Excel 文件（%(error)s）：请用模板填写后另存为 .xlsx 格式。") % {"error": exc}
        ) from exc
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError(_("工作簿中没有工作表。"))
    return workbook, workbook.worksheets[0].iter_rows(values_only=True)


def _header(row: tuple[Any, ...] | None) -> dict[int, Column]:
    """Column index -> column; wrong, repeated or missing headers raise, naming them."""
    if row is None:
        raise ImportFileError(_("文件是空的：第 1 行应为表头（请下载模板）。"))
    positions: dict[int, Column] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for index, value in enumerate(row):
        key = header_key(value)
        if not key or key in READONLY_KEYS:
            continue
        column = COLUMNS_BY_KEY.get(key)
        if column is None:
            unknown.append(str(value).strip())
        elif column.header in seen:
            repeated.append(column.header)
        else:
            seen.add(column.header)
            positions[index] = column
    missing = [c.header for c in COLUMNS if c.required and c.header not in seen]
    problems = []
    if missing:
        problems.append(_("缺少列：%(names)s") % {"names": "、".join(missing)})
    if unknown:
        problems.append(_("不认识的列：%(names)s") % {"names": "、".join(unknown)})
    if repeated:
        problems.append(_("重复的列：%(names)s") % {"names": "、".join(repeated)})
    if problems:
        raise ImportFileError(
            _("第 1 行（表头）：%(problems)s。请使用模板的表头：%(headers)s。")
            % {"problems": "；".join(problems), "headers": "、".join(c.header for c in COLUMNS)}
        )
    return positions


@dataclass
class ParsedRow:
    number: int
    expert_id: int | None
    active: bool | None
    data: ExpertInput
    present: set[str]


def _conflicts(text: str) -> list[ConflictInput]:
    out = []
    for part in (text or "").replace("；", ";").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        name, _sep, rest = part.partition("|")
        code, _sep, note = rest.partition("|")
        out.append(ConflictInput(name=name.strip(), credit_code=code.strip(), note=note.strip()))
    return out


def _parse_row(number: int, row: tuple[Any, ...], positions: dict[int, Column], report: ImportReport) -> ParsedRow:
    cells = {c.attr: _cell_text(row[i]) if i < len(row) else "" for i, c in positions.items()}
    raw = {c.attr: row[i] if i < len(row) else None for i, c in positions.items()}
    expert_id: int | None = None
    if cells.get("id"):
        if cells["id"].isdigit():
            expert_id = int(cells["id"])
        else:
            report.add(number, FIELD_COLUMN["id"], _("应为专家编号（数字），新增专家请留空。"))
    active: bool | None = None
    if "active" in cells:
        flag = cells["active"]
        if flag in ("", "是", "在库", "1", "true", "True", "TRUE", "yes", "Y", "y"):
            active = True
        elif flag in ("否", "停用", "0", "false", "False", "FALSE", "no", "N", "n"):
            active = False
        else:
            report.add(number, FIELD_COLUMN["active"], _("应为「是」或「否」。"))
    busy = raw.get("busy_until")
    data = ExpertInput(
        name=cells.get("name", ""),
        organisation_name=cells.get("organisation_name", ""),
        organisation_credit_code=cells.get("organisation_credit_code", ""),
        title=cells.get("title", ""),
        credential_number=cells.get("credential_number", ""),
        fields=split_list(cells.get("fields", "")),
        ipc_classes=split_list(cells.get("ipc_classes", "")),
        nice_classes=split_list(cells.get("nice_classes", "")),
        languages=split_list(cells.get("languages", "")),
        regions=split_list(cells.get("regions", "")),
        qualifications=split_list(cells.get("qualifications", "")),
        availability=cells.get("availability", "") or "available",
        busy_until=busy if isinstance(busy, dt.date) else cells.get("busy_until", ""),
        fee_terms=cells.get("fee_terms", ""),
        hourly_rate=cells.get("hourly_rate", ""),
        conflicts=_conflicts(cells.get("conflicts", "")),
        user_email=cells.get("user_email", ""),
    )
    return ParsedRow(number, expert_id, active, data, set(cells))


# --- checking ---------------------------------------------------------------------------------------------------


class _Registry:
    """What the database and the rows seen so far already hold, to find duplicates and bad references."""

    def __init__(self, actor: Any) -> None:
        self.by_dedupe: dict[str, int] = {}
        self.by_credential: dict[str, int] = {}
        self.centre_of: dict[int, int] = {}
        self.user_of: dict[int, int] = {}
        for pk, key, credential, centre_id, user_id in Expert.objects_unscoped.values_list(
            "pk", "dedupe_key", "credential_number", "centre_id", "user_id"
        ).iterator(chunk_size=5000):
            self.by_dedupe.setdefault(key, pk)
            if credential:
                self.by_credential[credential] = pk
            self.centre_of[pk] = centre_id
            if user_id:
                self.user_of[user_id] = pk
        self.keepers = keeper_centre_ids(actor) if actor is not None else None  # None: the operator, any centre
        self.file_ids: dict[int, int] = {}
        self.file_dedupe: dict[str, int] = {}
        self.file_credential: dict[str, int] = {}
        self.file_users: dict[int, int] = {}

    def check(self, row: ParsedRow, clean: CleanExpert, report: ImportReport) -> bool:
        n = row.number
        before = report.error_count
        pk = row.expert_id
        if pk is not None:
            if pk not in self.centre_of:
                report.add(n, FIELD_COLUMN["id"], _("库中没有编号为 %(id)s 的专家。") % {"id": pk})
            elif self.keepers is not None and self.centre_of[pk] not in self.keepers:
                report.add(n, FIELD_COLUMN["id"], _("专家 %(id)s 由其他机构维护，本中心不能修改。") % {"id": pk})
            if pk in self.file_ids:
                report.add(
                    n, FIELD_COLUMN["id"], _("与第 %(row)s 行是同一位专家（编号相同）。") % {"row": self.file_ids[pk]}
                )
        if clean.dedupe_key in self.file_dedupe:
            report.add(
                n,
                FIELD_COLUMN["name"],
                _("与第 %(row)s 行重复（同一姓名和所属单位）。") % {"row": self.file_dedupe[clean.dedupe_key]},
            )
        elif self.by_dedupe.get(clean.dedupe_key, pk) != pk:
            other = self.by_dedupe[clean.dedupe_key]
            report.add(
                n,
                FIELD_COLUMN["name"],
                _("与库中专家（编号 %(id)s）重复：同一姓名和所属单位。如需更新该专家，请在「专家编号」列填写 %(id)s。")
                % {"id": other},
            )
        if clean.credential_number:
            if clean.credential_number in self.file_credential:
                report.add(
                    n,
                    FIELD_COLUMN["credential_number"],
                    _("与第 %(row)s 行的资格证书编号相同。") % {"row": self.file_credential[clean.credential_number]},
                )
            elif self.by_credential.get(clean.credential_number, pk) != pk:
                other = self.by_credential[clean.credential_number]
                report.add(
                    n,
                    FIELD_COLUMN["credential_number"],
                    _("与库中专家（编号 %(id)s）的资格证书编号相同。如需更新该专家，请在「专家编号」列填写 %(id)s。")
                    % {"id": other},
                )
        if clean.user_id is not None:
            if clean.user_id in self.file_users:
                report.add(
                    n,
                    FIELD_COLUMN["user_email"],
                    _("与第 %(row)s 行关联同一账户。") % {"row": self.file_users[clean.user_id]},
                )
            elif self.user_of.get(clean.user_id, pk) != pk:
                report.add(
                    n,
                    FIELD_COLUMN["user_email"],
                    _("该账户已关联库中专家（编号 %(id)s）。") % {"id": self.user_of[clean.user_id]},
                )
        if pk is not None:
            self.file_ids.setdefault(pk, n)
        self.file_dedupe.setdefault(clean.dedupe_key, n)
        if clean.credential_number:
            self.file_credential.setdefault(clean.credential_number, n)
        if clean.user_id is not None:
            self.file_users.setdefault(clean.user_id, n)
        return report.error_count == before


def _rows(
    fileobj: IO[bytes], report: ImportReport | None = None
) -> Iterator[tuple[int, tuple[Any, ...], dict[int, Column]]]:
    workbook, rows = _open_rows(fileobj)
    try:
        positions = _header(next(rows, None))
        for number, row in enumerate(rows, start=2):
            if not any(v not in (None, "") and str(v).strip() for v in row):
                continue
            if report is not None:
                report.rows_total += 1
                if report.rows_total > MAX_ROWS:
                    raise ImportFileError(_("文件超过 %(n)s 行，请拆分后分批导入。") % {"n": f"{MAX_ROWS:,}"})
            yield number, row, positions
    finally:
        workbook.close()


def _check_file(fileobj: IO[bytes], lookups: Lookups, registry: _Registry, report: ImportReport) -> set[int]:
    valid: set[int] = set()
    for number, row, positions in _rows(fileobj, report):
        before = report.error_count
        parsed = _parse_row(number, row, positions, report)
        clean, problems = clean_expert(parsed.data, lookups)
        for name, reason in problems.items():
            report.add(number, FIELD_COLUMN.get(name, ""), reason)
        if clean is not None:
            registry.check(parsed, clean, report)
        if report.error_count == before:
            valid.add(number)
        else:
            report.rows_with_errors += 1
    report.rows_valid = len(valid)
    return valid


# --- writing ---------------------------------------------------------------------------------------------------


# Which column of the file feeds each column of the Expert row (an update changes only the columns in the file).
SCALAR_SOURCE = {
    "name": "name",
    "organisation_name": "organisation_name",
    "organisation_key": "organisation_name",
    "dedupe_key": "name",
    "organisation_credit_code": "organisation_credit_code",
    "title": "title",
    "credential_number": "credential_number",
    "ipc_classes": "ipc_classes",
    "nice_classes": "nice_classes",
    "languages": "languages",
    "qualifications": "qualifications",
    "availability": "availability",
    "busy_until": "availability",
    "fee_terms": "fee_terms",
    "hourly_rate": "hourly_rate",
    "user_id": "user_email",
}


def _scalars(row: ParsedRow, clean: CleanExpert) -> dict[str, Any]:
    return {k: v for k, v in clean.scalar_fields().items() if SCALAR_SOURCE[k] in row.present}


def _write_batch(
    batch: list[tuple[ParsedRow, CleanExpert]], *, actor: Any, centre: Centre, report: ImportReport
) -> None:
    creates = [(row, clean) for row, clean in batch if row.expert_id is None]
    updates = [(row, clean) for row, clean in batch if row.expert_id is not None]
    inactive_reason = _("导入时标记为停用")
    new = [
        Expert(
            centre=centre,
            created_by=actor,
            active=row.active is not False,
            deactivated_reason="" if row.active is not False else inactive_reason,
            **clean.scalar_fields(),
        )
        for row, clean in creates
    ]
    Expert.objects_unscoped.bulk_create(new, batch_size=BATCH)
    existing = Expert.objects_unscoped.in_bulk([row.expert_id for row, _clean in updates])
    changed: list[Expert] = []
    columns: set[str] = {"version", "updated_at"}
    now = timezone.now()
    for row, clean in updates:
        expert = existing[row.expert_id]  # type: ignore[index]
        scalars = _scalars(row, clean)
        for name, value in scalars.items():
            setattr(expert, name, value)
        columns.update(scalars)
        if row.active is not None and row.active != expert.active:
            expert.active = row.active
            expert.deactivated_reason = "" if row.active else inactive_reason
            columns.update({"active", "deactivated_reason"})
        expert.version += 1
        expert.updated_at = now
        changed.append(expert)
    if changed:
        Expert.objects_unscoped.bulk_update(changed, sorted(columns), batch_size=500)
    # (expert id, row, cleaned values) of every written row; the relations an update replaces are those in the file.
    written: list[tuple[int, ParsedRow, CleanExpert]] = [
        (e.pk, row, clean) for e, (row, clean) in zip(new, creates, strict=True)
    ]
    written += [(e.pk, row, clean) for e, (row, clean) in zip(changed, updates, strict=True)]
    fields_through = Expert.fields.through
    regions_through = Expert.regions.through
    for attr, model in (("fields", fields_through), ("regions", regions_through), ("conflicts", ExpertConflict)):
        replaced = [e.pk for e, (row, _clean) in zip(changed, updates, strict=True) if attr in row.present]
        if replaced:
            model.objects.filter(expert_id__in=replaced).delete()

    def wants(row: ParsedRow, attr: str) -> bool:
        return row.expert_id is None or attr in row.present

    fields_through.objects.bulk_create(
        [
            fields_through(expert_id=pk, expertfield_id=f)
            for pk, row, c in written
            if wants(row, "fields")
            for f in c.field_ids
        ],
        batch_size=2000,
    )
    regions_through.objects.bulk_create(
        [
            regions_through(expert_id=pk, region_id=r)
            for pk, row, c in written
            if wants(row, "regions")
            for r in c.region_codes
        ],
        batch_size=2000,
    )
    ExpertConflict.objects.bulk_create(
        [
            ExpertConflict(
                expert_id=pk, name=x.name, name_key=organisation_key(x.name), credit_code=x.credit_code, note=x.note
            )
            for pk, row, c in written
            if wants(row, "conflicts")
            for x in c.conflicts
        ],
        batch_size=2000,
    )
    created_ids = [e.pk for e in new]
    updated_ids = [e.pk for e in changed]
    facets_rebuild(created_ids + updated_ids)
    report.created += len(created_ids)
    report.updated += len(updated_ids)
    audit_record(
        actor=actor,
        action="expert.import",
        object_type="experts.expert",
        object_id=(created_ids or updated_ids)[0],
        centre_id=centre.pk,
        after={
            "file_sha256": report.sha256,
            "rows": [batch[0][0].number, batch[-1][0].number],
            "created": created_ids,
            "updated": updated_ids,
        },
    )


def _write_file(
    fileobj: IO[bytes], valid: set[int], lookups: Lookups, *, actor: Any, centre: Centre, report: ImportReport
) -> None:
    batch: list[tuple[ParsedRow, CleanExpert]] = []
    scratch = ImportReport()
    for number, row, positions in _rows(fileobj):
        if number not in valid:
            continue
        parsed = _parse_row(number, row, positions, scratch)
        clean, _problems = clean_expert(parsed.data, lookups)
        assert clean is not None  # checked in the first pass, inside the same transaction
        batch.append((parsed, clean))
        if len(batch) >= BATCH:
            _write_batch(batch, actor=actor, centre=centre, report=report)
            batch = []
    if batch:
        _write_batch(batch, actor=actor, centre=centre, report=report)


def file_sha256(fileobj: IO[bytes]) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def expert_import(
    *, actor: Any, centre: Centre, fileobj: IO[bytes], valid_only: bool = False, operator: bool = False
) -> ImportReport:
    """Check the whole file; write its rows only if none has a problem, or only the valid ones if `valid_only`.

    `operator=True` is `manage.py experts_import` run by whoever runs the server (actor None): no access check."""
    if not operator:
        decision = database_decide(actor, ExpertPermission.IMPORT)
        if not decision:
            raise TransitionRefused(decision.reason, status=403)
        keepers = keeper_centre_ids(actor)
        if keepers is not None and centre.pk not in keepers:
            raise TransitionRefused(_("您只能为本人担任负责人的机构导入专家。"), status=403)
    report = ImportReport(valid_only=valid_only, sha256=file_sha256(fileobj))
    with transaction.atomic():
        lookups = Lookups().preload()
        try:
            valid = _check_file(fileobj, lookups, _Registry(None if operator else actor), report)
        except ImportFileError as exc:
            report.file_error = str(exc)
            return report
        if not valid or (report.error_count and not valid_only):
            return report
        _write_file(fileobj, valid, lookups, actor=actor, centre=centre, report=report)
        report.saved = True
        audit_record(
            actor=actor,
            action="expert.import_done",
            object_type="experts.expert",
            centre_id=centre.pk,
            after={
                "file_sha256": report.sha256,
                "rows": report.rows_total,
                "created": report.created,
                "updated": report.updated,
                "skipped_rows": report.rows_with_errors,
                "valid_only": valid_only,
            },
        )
    return report
