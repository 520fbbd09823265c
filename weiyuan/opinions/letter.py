"""The opinion letter 侵权判定参考意见书: a PDF rendered from `opinions/letter_pdf.html` (Chinese fonts embedded by
WeasyPrint), stored privately through the default storage (as evidence is) and served only through the
access-checked, audited download view. Its SHA-256 is recorded on the opinion and shown on the opinion's page; the
PDF cannot print its own hash (any hash printed in the file would change the file), so the letter tells the reader
where to find it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from weiyuan.cases.services.common import case_audit_record
from weiyuan.core.pdf import RenderedPdf, render_pdf
from weiyuan.knowledge.selectors import citation
from weiyuan.notifications.services import Notice, outbox_enqueue
from weiyuan.opinions import verdict as v
from weiyuan.opinions.models import Opinion
from weiyuan.opinions.services import opinion_lock, opinion_verdict
from weiyuan.opinions.transitions import check_opinion_transition

LETTER_TEMPLATE = "opinions/letter_pdf.html"


def letter_context(opinion: Opinion) -> dict[str, Any]:
    """Everything the letter prints, read once (the claims with their features, the basis with its texts)."""
    basis = [
        {"citation": citation(b.article), "text": b.article.text, "version": b.article.version.effective_label}
        for b in opinion.basis.select_related("article__version__law")
    ]
    claims = list(opinion.claims.prefetch_related("features")) if opinion.is_patent else []
    design = getattr(opinion, "design", None) if opinion.kind == "design" else None
    trademark = getattr(opinion, "trademark", None) if opinion.kind == "trademark" else None
    verdict, reasoning = (opinion.verdict, opinion.reasoning) if opinion.signed_at else opinion_verdict(opinion)
    case = opinion.case
    return {
        "opinion": opinion,
        "case": case,
        "centre": case.centre,
        "basis": basis,
        "claims": claims,
        "design": design,
        "differences": list(design.differences.all()) if design else [],
        "trademark": trademark,
        "verdict_label": v.verdict_label(verdict or v.UNDECIDED),
        "reasoning": reasoning,
        "signer": opinion.signer,
        "signed_on": timezone.localtime(opinion.signed_at).date() if opinion.signed_at else None,
    }


def letter_render(opinion: Opinion) -> RenderedPdf:
    with translation.override("zh-hans"):
        context = letter_context(opinion)
    return render_pdf(LETTER_TEMPLATE, context)


@transaction.atomic
def opinion_letter_generate(*, opinion: Opinion, actor: Any) -> Opinion:
    """Render the letter of a signed opinion, store it, record its SHA-256 and issue it to the applicant.

    The bytes are written before the row commits; if the transaction then rolls back, the stored file has no row and
    is served by nothing (the same trade-off as evidence, see `evidence.services.evidence_store`)."""
    opinion = opinion_lock(opinion)
    check_opinion_transition(opinion, "generate", actor)
    rendered = letter_render(opinion)
    opinion.letter.save("letter.pdf", ContentFile(rendered.content), save=False)
    stored = opinion.letter.name or ""
    opinion.letter_sha256 = rendered.sha256
    opinion.letter_size = len(rendered.content)
    opinion.letter_generated_at = timezone.now()
    opinion.state = "issued"
    try:
        opinion.save()
    except Exception:
        opinion.letter.storage.delete(stored)
        raise
    case = opinion.case
    case_audit_record(
        case=case,
        actor=actor,
        action="opinion.generate",
        obj=opinion,
        before={"state": "signed"},
        after={"state": "issued", "sha256": rendered.sha256, "size": opinion.letter_size, "number": opinion.number},
    )
    if case.applicant_user_id:
        number = opinion.number

        def notice() -> Notice:
            from django.utils.translation import gettext as _

            return Notice(
                kind="opinion_issued",
                subject=_("侵权判定参考意见书已出具：%(number)s") % {"number": number},
                body=_("援助机构已就您的案件 %(case)s 出具侵权判定参考意见书，请在案件页面下载。")
                % {"case": case.tracking_number},
                url=f"/cases/{case.tracking_number}/",
            )

        outbox_enqueue(recipients=[case.applicant_user], notice=notice, dedupe_key=f"opinion-issued:{opinion.pk}")
    return opinion


@transaction.atomic
def opinion_letter_record_download(*, opinion: Opinion, user: Any) -> None:
    case_audit_record(
        case=opinion.case,
        actor=user,
        action="opinion.download",
        obj=opinion,
        after={"sha256": opinion.letter_sha256, "number": opinion.number},
    )
