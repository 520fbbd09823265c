"""Evidence reads, always scoped by the acting user through the access module."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from weiyuan.evidence.models import EvidenceFile


def evidence_get(*, user: Any, evidence_id: int) -> EvidenceFile:
    """The file if the user may see its case (or uploaded it without a case); otherwise 404."""
    evidence = (
        EvidenceFile.objects.restrict(user)
        .select_related("case", "case__centre", "uploaded_by")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise Http404("evidence not found")
    return evidence


def evidence_for_case(*, user: Any, case: Any) -> QuerySet[EvidenceFile]:
    """Every file of a case the user may see (evidence, certificates, message attachments), oldest first."""
    return (
        EvidenceFile.objects.restrict(user)
        .filter(case=case)
        .select_related("uploaded_by")
        .order_by("received_at", "id")
    )
