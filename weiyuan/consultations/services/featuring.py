"""Excellent Q&A 优秀问答: staff nominate an answered consultation, a person confirms the redacted text (removals
proposed by `weiyuan.consultations.redaction`), the centre's director approves, and the knowledge base publishes it
with credit to the centre (`knowledge.services.qa_publish_from_consultation`). Each step is in FEATURED_STEPS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.cases.models import Case
from weiyuan.cases.services.common import case_audit_record, centre_staff
from weiyuan.consultations.models import Answer, AnswerState, Citation, Consultation, FeaturedQA, FeaturedState
from weiyuan.consultations.redaction import Finding, find_sensitive, redact
from weiyuan.consultations.services.answering import first_answer_sent
from weiyuan.consultations.services.common import consultation_notify, consultation_url, step_start
from weiyuan.consultations.transitions import FEATURED_STEPS_BY_ACTION, NEW, Step, Subject
from weiyuan.core.choices import Role
from weiyuan.core.punctuation import join_list, parenthesised

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20000

# The knowledge base's topic tags (knowledge.Tag, kind "topic") proposed for each consultation topic.
TOPIC_TAGS: dict[str, tuple[str, ...]] = {
    "law": (),
    "procedure": ("registration_validity",),
    "legal_status": ("registration_validity",),
    "dispute": ("dispute_resolution",),
    "evidence": ("evidence",),
    "overseas": ("overseas",),
    "other": (),
}


def open_nomination(consultation: Consultation) -> FeaturedQA | None:
    return consultation.nominations.exclude(state=FeaturedState.REJECTED).first()


def featured_subject(consultation: Consultation) -> Subject:
    return Subject(
        case=consultation.case,
        first_answer_sent=first_answer_sent(consultation),
        featured=open_nomination(consultation),
    )


def _state(subject: Subject) -> str:
    return subject.featured.state if subject.featured is not None else NEW


def _featured_step(consultation: Consultation, action: str, actor: Any) -> tuple[Consultation, Subject, str, Step]:
    """Start a step on the open nomination: (locked consultation, subject, nomination state before, step)."""
    return step_start(
        consultation, actor, action, table=FEATURED_STEPS_BY_ACTION, subject_of=featured_subject, state_of=_state
    )


def _audit(featured: FeaturedQA, actor: Any, action: str, before: str, **extra: Any) -> None:
    case_audit_record(
        case=featured.consultation.case,
        actor=actor,
        action=f"consultation.featured_{action}",
        obj=featured,
        before={"state": before},
        after={"state": featured.state, **extra},
    )


def _directors(case: Case, *, besides: int | None) -> list[Any]:
    """The directors of the case's centre who approve a nomination: not the one who nominated it (four eyes)."""
    return [u for u in centre_staff(case.centre_id, Role.DIRECTOR) if u.pk != besides]


def _decided(featured: FeaturedQA, subject: Subject, step: Step, actor: Any, **fields: Any) -> None:
    """Approve or reject: the nomination moves to the step's state with the director's decision and `fields`."""
    featured.state = step.target_for(subject)
    for name, value in fields.items():
        setattr(featured, name, value)
    featured.decided_by = actor
    featured.decided_at = timezone.now()
    featured.save(update_fields=["state", *fields, "decided_by", "decided_at"])


def _tell_nominator(featured: FeaturedQA, kind: str, subject: str, body: str, event: str) -> None:
    consultation_notify(
        [featured.nominated_by],
        kind,
        subject,
        body,
        consultation_url(featured.consultation.case) + "featured/",
        f"featured:{featured.pk}:{event}",
    )


# --- what is redacted ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceTexts:
    """The consultation's own words: the question(s) and the sent answer(s)."""

    question: str
    answer: str
    cited_article_ids: list[int]


def source_texts(consultation: Consultation) -> SourceTexts:
    answers = list(
        Answer.objects.filter(question__consultation=consultation, state=AnswerState.SENT)
        .select_related("question")
        .order_by("question__round")
    )
    questions: list[str] = []
    replies: list[str] = []
    for answer in answers:
        if answer.question.round == 1:
            questions.append(answer.question.text)
            replies.append(answer.body)
        else:
            questions.append(_("追问：%(text)s") % {"text": answer.question.text})
            replies.append(_("对追问的答复：%(text)s") % {"text": answer.body})
    cited = list(
        Citation.objects.filter(answer__in=answers, article__isnull=False)
        .order_by("answer__question__round", "position")
        .values_list("article_id", flat=True)
    )
    return SourceTexts("\n\n".join(questions), "\n\n".join(replies), list(dict.fromkeys(cited)))


def redaction_names(consultation: Consultation) -> list[str]:
    """Names the texts must not carry: the applicant, the respondent, the agent, and the people who wrote."""
    case = consultation.case
    names = [case.applicant_name, case.respondent_name]
    for user in (case.applicant_user, case.created_by, case.handler):
        if user is not None:
            names += [user.display_name, getattr(user, "organisation_name", "")]
    if case.agent_authorisation_id is not None and case.agent_authorisation is not None:
        names += [case.agent_authorisation.principal_name, case.agent_authorisation.agent.display_name]
    for answer in Answer.objects.filter(question__consultation=consultation).select_related("written_by", "volunteer"):
        names += [answer.written_by.display_name]
        if answer.volunteer is not None:
            names.append(answer.volunteer.display_name)
    return [n for n in dict.fromkeys(n.strip() for n in names if n) if len(n) >= 2]


@dataclass(frozen=True)
class Proposal:
    """What the redaction page shows: the original texts with the proposed removals, and the redacted texts."""

    question: str
    answer: str
    question_findings: list[Finding]
    answer_findings: list[Finding]
    title: str

    @property
    def question_redacted(self) -> str:
        return redact(self.question, self.question_findings)

    @property
    def answer_redacted(self) -> str:
        return redact(self.answer, self.answer_findings)


def redaction_proposal(consultation: Consultation) -> Proposal:
    texts = source_texts(consultation)
    names = redaction_names(consultation)
    question_findings = find_sensitive(texts.question, names=names)
    redacted_question = redact(texts.question, question_findings)
    first_line = redacted_question.strip().splitlines()[0] if redacted_question.strip() else ""
    title = first_line[:60] + ("…" if len(first_line) > 60 else "")
    return Proposal(
        question=texts.question,
        answer=texts.answer,
        question_findings=question_findings,
        answer_findings=find_sensitive(texts.answer, names=names),
        title=title,
    )


# --- the steps -------------------------------------------------------------------------------------------------


@transaction.atomic
def featured_nominate(*, consultation: Consultation, actor: Any, reason: str = "") -> FeaturedQA:
    consultation, subject, state, step = _featured_step(consultation, "nominate", actor)
    if "\x00" in reason or len(reason.strip()) > 2000:
        raise ValidationError({"reason": _("推荐理由最多 2000 字，且不能含有空字符。")})
    featured = FeaturedQA.objects.create(
        consultation=consultation,
        state=step.target_for(subject),
        reason=reason.strip(),
        nominated_by=actor,
        topic_tags=list(TOPIC_TAGS.get(consultation.topic, ())),
    )
    _audit(featured, actor, "nominate", state)
    case = consultation.case
    consultation_notify(
        _directors(case, besides=actor.pk),
        "consultation.featured_nominated",
        _("咨询答复被推荐为优秀问答：%(number)s") % {"number": case.tracking_number},
        reason.strip()[:300] or case.title,
        consultation_url(case) + "featured/",
        f"featured:{featured.pk}:nominated",
    )
    return featured


def _validate_texts(title: str, question: str, answer: str, topic_tags: Sequence[str]) -> None:
    errors: dict[str, str] = {}
    for name, value, limit in (("title", title, TITLE_MAX_LENGTH), ("question", question, TEXT_MAX_LENGTH)):
        if "\x00" in value:
            errors[name] = _("含有不可见的空字符（NUL），请删除后重新输入。")
        elif not value.strip():
            errors[name] = _("此项必填。")
        elif len(value.strip()) > limit:
            errors[name] = _("内容过长：最多 %(limit)s 个字。") % {"limit": limit}
    if "\x00" in answer:
        errors["answer"] = _("含有不可见的空字符（NUL），请删除后重新输入。")
    elif len(answer.strip()) < 10:
        errors["answer"] = _("请填写脱敏后的解答（至少 10 个字）。")
    elif len(answer.strip()) > TEXT_MAX_LENGTH:
        errors["answer"] = _("内容过长：最多 %(limit)s 个字。") % {"limit": TEXT_MAX_LENGTH}
    from weiyuan.knowledge.models import Tag, TagKind

    known = set(Tag.objects.filter(kind=TagKind.TOPIC).values_list("code", flat=True))
    unknown = [t for t in topic_tags if t not in known]
    if unknown:
        errors["topic_tags"] = _("不认识的主题标签：%(codes)s。") % {"codes": join_list(unknown)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def featured_redact(
    *,
    consultation: Consultation,
    actor: Any,
    title: str,
    question: str,
    answer: str,
    topic_tags: Sequence[str] = (),
    confirm_remaining: bool = False,
) -> FeaturedQA:
    """A person confirms (or corrects) the redacted title, question and answer. What the detector still finds in
    them is refused unless the person confirms it is not personal data (a law's name, a public authority)."""
    consultation, subject, state, step = _featured_step(consultation, "redact", actor)
    _validate_texts(title, question, answer, topic_tags)
    names = redaction_names(consultation)
    remaining = {
        field: find_sensitive(text.strip(), names=names)
        for field, text in (("title", title), ("question", question), ("answer", answer))
    }
    if any(remaining.values()) and not confirm_remaining:
        raise ValidationError(
            {
                field: _(
                    "仍有可能需要删除的内容：%(items)s。请删除，或确认这些内容不涉及个人信息后勾选“确认无需删除”。"
                )
                % {"items": join_list(f"{f.text}{parenthesised(f.label)}" for f in findings)}
                for field, findings in remaining.items()
                if findings
            }
        )
    featured = subject.featured
    assert featured is not None
    featured.state = step.target_for(subject)
    featured.title = title.strip()
    featured.question = question.strip()
    featured.answer = answer.strip()
    featured.topic_tags = list(dict.fromkeys(topic_tags))
    featured.redacted_by = actor
    featured.redacted_at = timezone.now()
    featured.save()
    _audit(
        featured,
        actor,
        "redact",
        state,
        confirmed_remaining=[f.text for findings in remaining.values() for f in findings],
    )
    case = consultation.case
    consultation_notify(
        _directors(case, besides=featured.nominated_by_id),
        "consultation.featured_redacted",
        _("优秀问答待审批：%(title)s") % {"title": featured.title},
        featured.question[:300],
        consultation_url(case) + "featured/",
        f"featured:{featured.pk}:redacted:{featured.redacted_at.isoformat()}",
    )
    return featured


@transaction.atomic
def featured_approve(*, consultation: Consultation, actor: Any) -> FeaturedQA:
    """The director approves: the knowledge base publishes the Q&A, credited to the centre, and indexes it."""
    from weiyuan.knowledge.services import qa_publish_from_consultation

    consultation, subject, state, step = _featured_step(consultation, "approve", actor)
    featured = subject.featured
    assert featured is not None
    case = consultation.case
    item = qa_publish_from_consultation(
        centre=case.centre,
        nominated_by=featured.nominated_by,
        approved_by=actor,
        title=featured.title,
        question=featured.question,
        answer=featured.answer,
        ip_types=[case.ip_type],
        topics=featured.topic_tags,
        cited_article_ids=source_texts(consultation).cited_article_ids,
    )
    _decided(featured, subject, step, actor, knowledge_item=item)
    _audit(featured, actor, "approve", state, knowledge_item=item.pk)
    _tell_nominator(
        featured,
        "consultation.featured_published",
        _("优秀问答已发布：%(title)s") % {"title": featured.title},
        _("您推荐的咨询答复已作为优秀问答发布到知识库。"),
        "published",
    )
    return featured


@transaction.atomic
def featured_reject(*, consultation: Consultation, actor: Any, reason: str) -> FeaturedQA:
    consultation, subject, state, step = _featured_step(consultation, "reject", actor)
    if "\x00" in reason or not reason.strip():
        raise ValidationError({"reason": _("请说明不予采用的理由。")})
    featured = subject.featured
    assert featured is not None
    _decided(featured, subject, step, actor, reject_reason=reason.strip()[:2000])
    _audit(featured, actor, "reject", state, reason=featured.reject_reason)
    _tell_nominator(
        featured,
        "consultation.featured_rejected",
        _("优秀问答未采用：%(number)s") % {"number": consultation.case.tracking_number},
        featured.reject_reason[:300],
        "rejected",
    )
    return featured
