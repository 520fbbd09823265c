"""Receiving evidence: limits, type by content (magic bytes), SHA-256 at receipt, audited storage and reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.evidence.models import EvidenceFile

log = logging.getLogger(__name__)

# What a file really is (by its first bytes) -> the extensions a name may carry for it.
ALLOWED_TYPES: dict[str, set[str]] = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "image/tiff": {".tif", ".tiff"},
    "video/mp4": {".mp4"},
    "audio/mpeg": {".mp3"},
    "application/zip": {".zip"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/msword": {".doc"},
    "application/vnd.ms-excel": {".xls"},
}
TEXT_EXTENSIONS = {".txt"}


@dataclass(frozen=True)
class Sniffed:
    mime: str
    sha256: str
    size: int


def _detect_office(head: bytes, suffix: str) -> str | None:
    """filetype reports OOXML files as zip and old Office files as OLE; refine by the name only inside that family."""
    if head.startswith(b"PK\x03\x04"):
        if suffix == ".docx":
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if suffix == ".xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return {".doc": "application/msword", ".xls": "application/vnd.ms-excel"}.get(suffix)
    return None


def sniff_upload(upload: UploadedFile, *, field: str = "file") -> Sniffed:
    """Check one upload and hash it; raise ValidationError naming the field and the fix."""
    name = upload.name or "file"
    suffix = PurePath(name).suffix.lower()
    if upload.size is None or upload.size == 0:
        raise ValidationError({field: _("文件「%(name)s」是空文件，请重新选择。") % {"name": name}})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                field: _("文件「%(name)s」超过 %(limit)s MB 的上限，请压缩或分拆后上传。")
                % {"name": name, "limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = _detect_office(head, suffix)
    if mime is None:
        kind = filetype.guess(head)
        mime = kind.mime if kind else None
    if mime is None and suffix in TEXT_EXTENSIONS:
        try:
            head.decode("utf-8")
            mime = "text/plain"
        except UnicodeDecodeError:
            mime = None
    allowed_suffixes = ALLOWED_TYPES.get(mime or "", TEXT_EXTENSIONS if mime == "text/plain" else set())
    if mime is None or not allowed_suffixes:
        raise ValidationError(
            {
                field: _(
                    "文件「%(name)s」的内容不是允许的类型（PDF、图片、Office 文档、MP4、MP3、ZIP、TXT），请检查文件。"
                )
                % {"name": name}
            }
        )
    if suffix not in allowed_suffixes:
        raise ValidationError(
            {
                field: _("文件「%(name)s」的内容是 %(mime)s，与文件名后缀不符，请确认上传的是正确的文件。")
                % {"name": name, "mime": mime}
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Sniffed(mime=mime, sha256=digest.hexdigest(), size=upload.size)


def check_upload_count(count: int, *, existing: int = 0, field: str = "files") -> None:
    if count + existing > settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            {field: _("每个案件最多上传 %(limit)s 个文件，请合并后再上传。") % {"limit": settings.EVIDENCE_MAX_FILES}}
        )


def evidence_store(
    *,
    upload: UploadedFile,
    uploaded_by: Any,
    case: Any = None,
    message: Any = None,
    kind: str = "evidence",
    description: str = "",
    field: str = "file",
) -> EvidenceFile:
    """Validate, hash and store one file; joins the caller's transaction (a failed write leaves no row).

    The bytes are written to storage before the row is committed, and storage is not transactional. If this
    function's own insert fails it deletes them at once. If instead the caller's transaction rolls back later
    (another upload of the same case is refused, the case insert fails, the process is killed before COMMIT),
    the stored file has no row. Django has no on-rollback hook, and deleting from an except block in every
    outer service would still miss a crash, so such files are left for `evidence_orphans_find` and the
    `manage.py evidence_orphans --delete` sweep (run daily), which removes stored files that have had no
    EvidenceFile row for longer than any transaction can last. Orphans hold no readable record: their random
    names are referenced nowhere, and no view serves a file without its row.
    """
    sniffed = sniff_upload(upload, field=field)
    with transaction.atomic():
        evidence = EvidenceFile(
            case=case,
            message=message,
            kind=kind,
            uploaded_by=uploaded_by,
            original_name=PurePath(upload.name or "file").name[:200],
            content_type=sniffed.mime,
            size=sniffed.size,
            sha256=sniffed.sha256,
            description=description[:200],
            received_at=timezone.now(),
        )
        evidence.file.save("upload", upload, save=False)
        # If the transaction rolls back, do not leave the stored bytes behind.
        stored_name = evidence.file.name or ""
        storage = evidence.file.storage
        try:
            evidence.save()
        except Exception:
            storage.delete(stored_name)
            raise
        audit_record(
            actor=uploaded_by,
            action="evidence.upload",
            obj=evidence,
            centre_id=case.centre_id if case else None,
            case_id=case.pk if case else None,
            after={
                "name": evidence.original_name,
                "sha256": evidence.sha256,
                "size": evidence.size,
                "type": sniffed.mime,
            },
        )
    return evidence


def evidence_record_download(*, evidence: EvidenceFile, user: Any) -> None:
    with transaction.atomic():
        case = evidence.case
        audit_record(
            actor=user,
            action="evidence.download",
            obj=evidence,
            centre_id=case.centre_id if case else None,
            case_id=case.pk if case else None,
            after={"sha256": evidence.sha256},
        )


# --- stored files without a row -----------------------------------------------------------------------------

# Where evidence_path() puts files; nothing else in the storage is looked at.
EVIDENCE_STORAGE_ROOT = "evidence"
# A file younger than this may belong to an upload whose transaction has not committed yet.
ORPHAN_MIN_AGE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class OrphanFile:
    name: str
    size: int | None
    modified_at: dt.datetime | None


def _storage() -> Storage:
    return EvidenceFile._meta.get_field("file").storage  # type: ignore[attr-defined,no-any-return]


def _walk(storage: Storage, directory: str) -> Iterator[tuple[str, list[str]]]:
    """(directory, file names) for `directory` and every directory below it."""
    if not storage.exists(directory):
        return
    dirs, files = storage.listdir(directory)
    yield directory, sorted(files)
    for sub in sorted(dirs):
        yield from _walk(storage, f"{directory}/{sub}")


def _modified(storage: Storage, name: str) -> dt.datetime | None:
    try:
        return storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


def _size(storage: Storage, name: str) -> int | None:
    try:
        return storage.size(name)
    except (NotImplementedError, OSError):
        return None


def evidence_orphans_find(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> list[OrphanFile]:
    """Stored evidence files with no EvidenceFile row, last modified more than `older_than` ago.

    Files whose age the storage cannot tell are listed with `modified_at` None (and never deleted).
    """
    now = now or timezone.now()
    storage = _storage()
    orphans: list[OrphanFile] = []
    for directory, files in _walk(storage, EVIDENCE_STORAGE_ROOT):
        if not files:
            continue
        known = set(
            EvidenceFile.objects_unscoped.filter(file__startswith=f"{directory}/").values_list("file", flat=True)
        )
        for filename in files:
            name = f"{directory}/{filename}"
            if name in known:
                continue
            modified = _modified(storage, name)
            if modified is not None and now - modified < older_than:
                continue
            orphans.append(OrphanFile(name=name, size=_size(storage, name), modified_at=modified))
    return orphans


def evidence_orphans_delete(*, orphans: list[OrphanFile], older_than: dt.timedelta, actor: Any = None) -> int:
    """Delete the given orphaned files; returns how many were deleted. Each deletion is audited.

    Refuses an age under ORPHAN_MIN_AGE. Each file is checked again just before deletion (under the evidence
    folder, still no row, still old enough, age known), so a row committed since the listing keeps its file.
    """
    if older_than < ORPHAN_MIN_AGE:
        raise ValidationError(
            {
                "older_than": _("--older-than 至少为 %(hours)s 小时：更新的文件可能属于尚未提交的上传。")
                % {"hours": int(ORPHAN_MIN_AGE.total_seconds() // 3600)}
            }
        )
    storage = _storage()
    now = timezone.now()
    deleted = 0
    for orphan in orphans:
        parts = PurePath(orphan.name).parts
        if len(parts) < 2 or parts[0] != EVIDENCE_STORAGE_ROOT or ".." in parts:
            continue  # only ever files evidence_store wrote
        modified = _modified(storage, orphan.name)
        if modified is None or now - modified < older_than:
            continue
        with transaction.atomic():
            if EvidenceFile.objects_unscoped.filter(file=orphan.name).exists():
                continue
            audit_record(
                actor=actor,
                action="evidence.orphan_deleted",
                object_type="evidence.storage",
                object_id=orphan.name[-64:],
                after={"name": orphan.name, "size": orphan.size, "modified_at": modified},
            )
            storage.delete(orphan.name)
        deleted += 1
        log.info("deleted orphaned evidence file %s", orphan.name)
    return deleted
