"""Consultation reads, always scoped by the acting user: a consultation is visible exactly when its case is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide, consultation_queue_q
from weiyuan.access.policy import STAFF_ROLES, centre_ids_with_role
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.selectors import case_get
from weiyuan.consultations.models import (
    Answer,
    AnswerState,
    Citation,
    Consultation,
    FeaturedQA,
    FeaturedState,
    Question,
)
from weiyuan.consultations.services.asking import SERVICE_TYPE
from weiyuan.consultations.transitions import ROUND_1_CASE_STATES
from weiyuan.core.choices import IPType
from weiyuan.knowledge.selectors import article_url, citation
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.network.selectors import centre_route


def consultation_get(*, user: Any, tracking_number: str) -> Consultation:
    """The consultation if the user may see its case; otherwise 404 (also for a case that is no consultation)."""
    case = case_get(user=user, tracking_number=tracking_number)
    consultation = Consultation.objects.filter(case=case).first()
    if consultation is None:
        raise Http404("not a consultation")
    consultation.case = case  # the scoped case, with its related rows already loaded
    return consultation


# --- the rounds: question, answer, citations -------------------------------------------------------------------


@dataclass(frozen=True)
class CitationView:
    kind: str  # "article" or "qa"
    label: str  # "电子商务法 第四十三条", or the Q&A's title
    url: str
    text: str  # the article's text in the cited version; the Q&A's question
    version_label: str = ""
    is_current: bool = True
    pk: int = 0  # the Article or KnowledgeItem row


@dataclass
class Round:
    question: Question
    answer: Answer | None
    citations: list[CitationView] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.answer is not None and self.answer.state == AnswerState.SENT


def _citation_view(c: Citation) -> CitationView:
    if c.article is not None:
        article = c.article
        version = article.version
        return CitationView(
            kind="article",
            label=citation(article),
            url=article_url(article),
            text=article.text,
            version_label=version.effective_label,
            is_current=version.pk == version.law.current_version_id,
            pk=article.pk,
        )
    item = c.item
    assert item is not None
    published = item.published_version
    return CitationView(
        kind="qa",
        label=published.title if published else str(item),
        url=reverse("knowledge:item", args=[item.pk]),
        text=(published.question or published.summary) if published else "",
        pk=item.pk,
    )


def consultation_rounds(*, consultation: Consultation, user: Any) -> list[Round]:
    """The rounds in order. Answers not yet sent (drafts) are shown only to those who may see drafts."""
    drafts_visible = bool(consultation_decide(user, CP.ANSWER_VIEW_DRAFT, consultation.case))
    questions = list(consultation.questions.select_related("clock", "asked_by").order_by("round"))
    answers = Answer.objects.filter(question__in=questions).select_related(
        "written_by", "volunteer", "approved_by", "sent_by"
    )
    if not drafts_visible:
        answers = answers.filter(state=AnswerState.SENT)
    answers = answers.prefetch_related(
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("article__version__law", "item__published_version").order_by(
                "position", "id"
            ),
        )
    )
    by_question = {a.question_id: a for a in answers}
    rounds = []
    for question in questions:
        answer = by_question.get(question.pk)
        citations = [_citation_view(c) for c in answer.citations.all()] if answer is not None else []
        rounds.append(Round(question, answer, citations))
    return rounds


# --- lists -----------------------------------------------------------------------------------------------------


def _list_related(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    return qs.select_related("case", "case__centre", "case__handler", "case__service_type").prefetch_related(
        Prefetch("questions", queryset=Question.objects.select_related("answer").order_by("round"))
    )


def my_consultations(*, user: Any) -> QuerySet[Consultation]:
    """The consultations the user asked (or recorded), newest first."""
    cases = Case.objects.restrict(user).filter(Q(applicant_user=user) | Q(created_by=user))
    return _list_related(Consultation.objects.filter(case__in=cases)).order_by("-created_at", "-id")


QUEUES = ("open", "to_approve", "follow_ups", "answered", "featured")


def _pending_follow_up() -> Exists:
    return Exists(
        Question.objects.filter(consultation=OuterRef("pk"), round__gte=2).exclude(answer__state=AnswerState.SENT)
    )


def consultation_queue(*, user: Any, queue: str) -> QuerySet[Consultation]:
    """Consultations the user works on (centre staff, volunteers with a task), one queue at a time."""
    cases = Case.objects.restrict(user).filter(consultation_queue_q(user))
    qs = Consultation.objects.filter(case__in=cases)
    if queue == "open":
        qs = qs.filter(Q(case__state__in=(CaseState.SUBMITTED, *ROUND_1_CASE_STATES)) | _pending_follow_up())
    elif queue == "to_approve":
        qs = qs.filter(
            Exists(Answer.objects.filter(question__consultation=OuterRef("pk"), state=AnswerState.SUBMITTED))
        )
    elif queue == "follow_ups":
        qs = qs.filter(_pending_follow_up())
    elif queue == "answered":
        qs = qs.filter(
            Exists(
                Answer.objects.filter(question__consultation=OuterRef("pk"), question__round=1, state=AnswerState.SENT)
            )
        )
    elif queue == "featured":
        qs = qs.filter(
            Exists(
                FeaturedQA.objects.filter(
                    consultation=OuterRef("pk"), state__in=(FeaturedState.NOMINATED, FeaturedState.REDACTED)
                )
            )
        )
    else:
        qs = qs.none()
    return _list_related(qs).order_by("-case__submitted_at", "-id")


def featured_history(*, consultation: Consultation) -> QuerySet[FeaturedQA]:
    return consultation.nominations.select_related(
        "nominated_by", "redacted_by", "decided_by", "knowledge_item"
    ).order_by("-nominated_at", "-id")


# --- asking ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentreOption:
    code: str
    name: str
    note: str  # "本中心", or the level: 区县级 / 地市级 / 省级 / 国家级


LEVEL_LABELS = {"county": _("区县级"), "city": _("地市级"), "province": _("省级"), "national": _("国家级")}


def ask_centres(*, user: Any, region_code: str, ip_type: str) -> list[CentreOption]:
    """Where a question can go: staff record for their own centres; applicants get the competent centres for
    their region and IP type, nearest level first (the same routing as the case intake)."""
    staff_centres = centre_ids_with_role(user, *STAFF_ROLES)
    if staff_centres:
        own = Centre.objects.filter(pk__in=staff_centres, filing_status=FilingStatus.APPROVED).order_by("path")
        return [CentreOption(c.code, c.display_name, str(_("本中心"))) for c in own]
    region_code = region_code.replace("\x00", "").strip()
    if len(region_code) != 6 or not region_code.isdigit():
        return []
    route = centre_route(
        region_code=region_code, ip_type=ip_type if ip_type in IPType.values else "", service_type=SERVICE_TYPE
    )
    seen: set[int] = set()
    options = []
    for proposal in route:
        if proposal.centre.pk not in seen:
            seen.add(proposal.centre.pk)
            options.append(
                CentreOption(
                    proposal.centre.code, proposal.centre.display_name, str(LEVEL_LABELS.get(proposal.level, ""))
                )
            )
    return options
