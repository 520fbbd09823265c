"""Evidence is never served by URL: every download goes through the access check and is audited."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weiyuan.access.policy import Permission, decide
from weiyuan.evidence.selectors import evidence_get
from weiyuan.evidence.services import evidence_record_download


def file_response(stored: Any) -> FileResponse:
    """A stored upload (evidence file, funds attachment: `file`, `content_type`, `original_name`, `size`) served
    as the project serves every private file: its own name, never sniffed or cached, sandboxed."""
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition(stored.original_name)
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name as RFC 5987 `filename*`."""
    name = PurePath(filename).name or "file"
    suffix = PurePath(name).suffix if PurePath(name).suffix.isascii() else ""
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", name.encode("ascii", "replace").decode("ascii")).strip() or "file"
    if suffix and not fallback.endswith(suffix):
        fallback += suffix
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_GET
def download(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    evidence = evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence.case is not None:
        decision = decide(request.user, Permission.EVIDENCE_DOWNLOAD, evidence.case)
        if not decision:
            return render(
                request,
                "cases/refused.html",
                {"reason": decision.reason, "title": _("不能下载该文件")},
                status=403,
            )
    evidence_record_download(evidence=evidence, user=request.user)
    return file_response(evidence)
