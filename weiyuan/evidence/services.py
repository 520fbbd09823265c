"""Receiving evidence: limits, type by content (magic bytes), SHA-256 at receipt, audited storage and reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.evidence.models import EvidenceFile

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
    """Validate, hash and store one file; joins the caller's transaction (a failed write leaves no row)."""
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
