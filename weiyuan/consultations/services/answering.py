"""Answering, rating and the one follow-up.

The answer to the question (round 1) is sent by concluding the case through the case spine
(`cases.services.case_conclude`, outcome advice_given, the answer as the result letter), so the case's state,
timeline, handling clock and the applicant's notice stay those of every other case. A follow-up (round 2) is asked
on the concluded case: it runs its own clock under the same rule (handling, the centre's limit for consultations)
and its answer is recorded on the case's public timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide
from weiyuan.cases.models import Case, CaseState, Outcome
from weiyuan.cases.services import case_conclude, case_start
from weiyuan.cases.services.common import case_audit_record, case_event_record, clock_working_days
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.services import clock_finish, clock_start
from weiyuan.consultations.models import (
    ANSWER_MAX_LENGTH,
    ANSWER_MIN_LENGTH,
    MAX_CITATIONS,
    MAX_ROUNDS,
    RATING_COMMENT_MAX_LENGTH,
    Answer,
    AnswerState,
    Citation,
    Consultation,
    Question,
)
from weiyuan.consultations.services.asking import validate_question
from weiyuan.consultations.services.common import (
    consultation_lock,
    consultation_notify,
    consultation_url,
    step_start,
)
from weiyuan.consultations.transitions import ANSWER_STEPS_BY_ACTION, NEW, Step, Subject
from weiyuan.knowledge.models import Article, KnowledgeItem
from weiyuan.knowledge.selectors import citation


def current_question(consultation: Consultation) -> Question | None:
    return consultation.questions.order_by("-round").first()


def first_answer_sent(consultation: Consultation) -> bool:
    return Answer.objects.filter(
        question__consultation=consultation, question__round=1, state=AnswerState.SENT
    ).exists()


def answer_subject(consultation: Consultation) -> Subject:
    question = current_question(consultation)
    answer = Answer.objects.filter(question=question).first() if question is not None else None
    return Subject(
        case=consultation.case,
        question=question,
        answer=answer,
        first_answer_sent=first_answer_sent(consultation),
    )


def _answer_state(subject: Subject) -> str:
    return subject.answer.state if subject.answer is not None else NEW


def _answer_step(consultation: Consultation, action: str, actor: Any) -> tuple[Consultation, Subject, str, Step]:
    """Start a step on the current round's answer: (locked consultation, subject, answer state before, step)."""
    return step_start(
        consultation, actor, action, table=ANSWER_STEPS_BY_ACTION, subject_of=answer_subject, state_of=_answer_state
    )


# --- writing the answer ----------------------------------------------------------------------------------------


def _validate_body(body: str, *, required: bool) -> str:
    if "\x00" in body:
        raise ValidationError({"body": _("含有不可见的空字符（NUL），请删除后重新输入。")})
    cleaned = body.strip()
    if len(cleaned) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("答复过长：最多 %(limit)s 个字，当前 %(n)s 个字。")
                % {"limit": ANSWER_MAX_LENGTH, "n": len(cleaned)}
            }
        )
    if required and len(cleaned) < ANSWER_MIN_LENGTH:
        raise ValidationError({"body": _("请填写答复（至少 %(n)s 个字）。") % {"n": ANSWER_MIN_LENGTH}})
    return cleaned


def _citation_targets(
    answer: Answer | None, article_ids: Sequence[int], item_ids: Sequence[int]
) -> tuple[list[Article], list[KnowledgeItem]]:
    article_ids = list(dict.fromkeys(int(i) for i in article_ids))
    item_ids = list(dict.fromkeys(int(i) for i in item_ids))
    if len(article_ids) + len(item_ids) > MAX_CITATIONS:
        raise ValidationError(
            {"citations": _("最多引用 %(n)s 条条文和问答，请只保留最相关的。") % {"n": MAX_CITATIONS}}
        )
    articles = Article.objects.select_related("version__law").in_bulk(article_ids)
    missing = [i for i in article_ids if i not in articles]
    if missing:
        raise ValidationError({"citations": _("引用的法律条文不存在（编号 %(ids)s），请重新选择。") % {"ids": missing}})
    # Published items may be cited; one cited earlier stays cited even if it was withdrawn since.
    already = set(answer.citations.filter(item__isnull=False).values_list("item_id", flat=True)) if answer else set()
    items = KnowledgeItem.objects.published().in_bulk(item_ids)
    items.update(KnowledgeItem.objects_unscoped.in_bulk([i for i in item_ids if i in already and i not in items]))
    missing = [i for i in item_ids if i not in items]
    if missing:
        raise ValidationError(
            {"citations": _("引用的问答不存在或尚未发布（编号 %(ids)s），请重新选择。") % {"ids": missing}}
        )
    return [articles[i] for i in article_ids], [items[i] for i in item_ids]


def _write(
    subject: Subject,
    actor: Any,
    *,
    body: str | None,
    article_ids: Sequence[int] | None,
    item_ids: Sequence[int] | None,
    required: bool,
) -> Answer:
    """Store the text and citations of the round's answer (creating it); None leaves that part as it is."""
    assert subject.question is not None
    answer = subject.answer
    if answer is None:
        answer = Answer(question=subject.question, written_by=actor)
    if body is not None:
        answer.body = _validate_body(body, required=required)
    elif required:
        _validate_body(answer.body, required=True)
    targets = None
    if article_ids is not None or item_ids is not None:
        targets = _citation_targets(subject.answer, article_ids or [], item_ids or [])
    approver = bool(consultation_decide(actor, CP.ANSWER_APPROVE, subject.case))
    if not approver and answer.volunteer_id is None:
        answer.volunteer = actor  # a volunteer's draft: it goes out only with a handler's approval
    answer.written_by = actor
    answer.save()
    if targets is not None:
        articles, items = targets
        answer.citations.all().delete()
        Citation.objects.bulk_create(
            [Citation(answer=answer, article=a, position=i) for i, a in enumerate(articles)]
            + [Citation(answer=answer, item=item, position=len(articles) + i) for i, item in enumerate(items)]
        )
    return answer


def _audit(answer: Answer, actor: Any, action: str, before: str, **extra: Any) -> None:
    case = answer.question.consultation.case
    case_audit_record(
        case=case,
        actor=actor,
        action=f"consultation.answer_{action}",
        obj=answer,
        before={"state": before},
        after={
            "state": answer.state,
            "round": answer.question.round,
            "length": len(answer.body),
            "citations": answer.citations.count(),
            **extra,
        },
    )


def _draft_step(
    consultation: Consultation,
    actor: Any,
    action: str,
    *,
    body: str,
    article_ids: Sequence[int] | None,
    item_ids: Sequence[int] | None,
    required: bool,
    **fields: str,
) -> tuple[Consultation, Answer]:
    """Save or submit: write the text and citations, move the answer to the step's state (setting `fields`), audit."""
    consultation, subject, state, step = _answer_step(consultation, action, actor)
    answer = _write(subject, actor, body=body, article_ids=article_ids, item_ids=item_ids, required=required)
    answer.state = step.target_for(subject)
    for name, value in fields.items():
        setattr(answer, name, value)
    answer.save(update_fields=["state", *fields, "updated_at"])
    _audit(answer, actor, action, state)
    return consultation, answer


@transaction.atomic
def answer_save(
    *,
    consultation: Consultation,
    actor: Any,
    body: str,
    article_ids: Sequence[int] | None = None,
    item_ids: Sequence[int] | None = None,
) -> Answer:
    """Save the draft answer of the current round (handler, director, or a volunteer with a task on the case)."""
    _consultation, answer = _draft_step(
        consultation, actor, "save", body=body, article_ids=article_ids, item_ids=item_ids, required=False
    )
    return answer


@transaction.atomic
def answer_submit(
    *,
    consultation: Consultation,
    actor: Any,
    body: str,
    article_ids: Sequence[int] | None = None,
    item_ids: Sequence[int] | None = None,
) -> Answer:
    """A volunteer hands the draft to the handler, who approves (sends) or returns it."""
    consultation, answer = _draft_step(
        consultation,
        actor,
        "submit",
        body=body,
        article_ids=article_ids,
        item_ids=item_ids,
        required=True,
        return_reason="",
    )
    case = consultation.case
    consultation_notify(
        [case.handler] if case.handler_id else [],
        "consultation.answer_submitted",
        _("志愿者答复草稿待审核：%(number)s") % {"number": case.tracking_number},
        answer.body[:300],
        consultation_url(case) + "answer/",
        f"consultation-answer:{answer.pk}:submitted:{timezone.now().isoformat()}",
    )
    return answer


@transaction.atomic
def answer_return(*, consultation: Consultation, actor: Any, reason: str) -> Answer:
    """The handler returns a volunteer's draft with the reason; the volunteer revises and submits it again."""
    consultation, subject, state, step = _answer_step(consultation, "return", actor)
    if "\x00" in reason or not reason.strip():
        raise ValidationError({"reason": _("请写明退回的理由和修改要求。")})
    if len(reason.strip()) > 2000:
        raise ValidationError({"reason": _("退回理由最多 2000 字。")})
    answer = subject.answer
    assert answer is not None
    answer.state = step.target_for(subject)
    answer.return_reason = reason.strip()
    answer.save(update_fields=["state", "return_reason", "updated_at"])
    _audit(answer, actor, "return", state, reason=answer.return_reason)
    consultation_notify(
        [answer.volunteer],
        "consultation.answer_returned",
        _("答复草稿被退回修改：%(number)s") % {"number": consultation.case.tracking_number},
        answer.return_reason[:300],
        consultation_url(consultation.case) + "answer/",
        f"consultation-answer:{answer.pk}:returned:{timezone.now().isoformat()}",
    )
    return answer


def result_letter(answer: Answer) -> str:
    """The result letter of the case: the answer, then what it cites."""
    parts = [answer.body.strip()]
    citations = list(answer.citations.select_related("article__version__law", "item__published_version"))
    articles = [c.article for c in citations if c.article is not None]
    items = [c.item for c in citations if c.item is not None]
    if articles:
        parts.append(_("引用的法律条文：") + "\n" + "\n".join(f"- {citation(a)}" for a in articles))
    if items:
        parts.append(_("参考的问答：") + "\n" + "\n".join(f"- {item}" for item in items))
    return "\n\n".join(parts)


@transaction.atomic
def answer_send(
    *,
    consultation: Consultation,
    actor: Any,
    body: str | None = None,
    article_ids: Sequence[int] | None = None,
    item_ids: Sequence[int] | None = None,
) -> Answer:
    """Send the current round's answer (the handler or director; for a volunteer's draft this is the approval).

    Round 1 concludes the case through the case spine; round 2 (the follow-up) finishes its clock."""
    consultation, subject, state, step = _answer_step(consultation, "send", actor)
    answer = _write(subject, actor, body=body, article_ids=article_ids, item_ids=item_ids, required=True)
    now = timezone.now()
    answer.state = step.target_for(subject)
    answer.sent_by = actor
    answer.sent_at = now
    answer.return_reason = ""
    if answer.volunteer_id is not None:
        answer.approved_by = actor
    answer.save()
    case = consultation.case
    question = answer.question
    if question.round == 1:
        if case.state == CaseState.ASSIGNED:
            case = case_start(case=case, actor=actor)
        case_conclude(case=case, actor=actor, outcome=Outcome.ADVICE_GIVEN, result_letter=result_letter(answer))
    else:
        if question.clock is not None:
            clock_finish(clock=question.clock, at=now, actor=actor)
        case_event_record(case, "follow_up_answer", actor, case.state, note=answer.body[:500])
        consultation_notify(
            [case.applicant_user],
            "consultation.follow_up_answered",
            _("追问已答复：%(number)s") % {"number": case.tracking_number},
            _("您对咨询「%(title)s」的追问已有答复，请在咨询页面查看。") % {"title": case.title},
            consultation_url(case),
            f"consultation-answer:{answer.pk}:sent",
        )
    _audit(answer, actor, "send", state, approved=answer.approved_by_id is not None)
    return answer


# --- after the answer: rating and the one follow-up -----------------------------------------------------------


def _require(actor: Any, permission: CP, case: Case) -> None:
    decision = consultation_decide(actor, permission, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


@transaction.atomic
def consultation_rate(*, consultation: Consultation, actor: Any, score: Any, comment: str = "") -> Consultation:
    """The applicant rates the answer once: 1 to 5, with an optional comment."""
    consultation = consultation_lock(consultation)
    _require(actor, CP.RATE, consultation.case)
    if not first_answer_sent(consultation):
        raise TransitionRefused(_("收到答复后才能评价。"))
    if consultation.rated_at is not None:
        raise TransitionRefused(_("您已评价过本次咨询，每次咨询只能评价一次。"))
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int | str) or not str(score).strip().isdigit():
        errors["score"] = _("请选择 1 到 5 分（5 分为非常满意）。")
    elif not 1 <= int(score) <= 5:
        errors["score"] = _("评分应为 1 到 5 分，收到的是 %(score)s。") % {"score": score}
    if "\x00" in comment:
        errors["comment"] = _("含有不可见的空字符（NUL），请删除后重新输入。")
    elif len(comment.strip()) > RATING_COMMENT_MAX_LENGTH:
        errors["comment"] = _("评价意见最多 %(limit)s 字，当前 %(n)s 字。") % {
            "limit": RATING_COMMENT_MAX_LENGTH,
            "n": len(comment.strip()),
        }
    if errors:
        raise ValidationError(errors)
    consultation.rating = int(score)
    consultation.rating_comment = comment.strip()
    consultation.rated_at = timezone.now()
    consultation.save(update_fields=["rating", "rating_comment", "rated_at"])
    case_audit_record(
        case=consultation.case,
        actor=actor,
        action="consultation.rate",
        obj=consultation,
        after={"rating": consultation.rating, "comment": bool(consultation.rating_comment)},
    )
    return consultation


def follow_up_refusal(consultation: Consultation) -> str:
    """Why no follow-up may be asked now ("" if one may); the applicant's permission is checked separately."""
    if consultation.questions.filter(round__gte=MAX_ROUNDS).exists():
        return _("每次咨询只能追问一次，您已追问过。如有新的问题，请提交新的咨询。")
    if not first_answer_sent(consultation):
        return _("收到答复后才能追问。")
    if consultation.case.state != CaseState.CONCLUDED:
        return _("咨询状态为「%(state)s」，不能再追问。如有新的问题，请提交新的咨询。") % {
            "state": consultation.case.get_state_display()
        }
    return ""


@transaction.atomic
def consultation_follow_up(*, consultation: Consultation, actor: Any, question: str) -> Question:
    """The applicant's one follow-up question; the handler answers it within the same limit as the question."""
    consultation = consultation_lock(consultation)
    case = consultation.case
    _require(actor, CP.FOLLOW_UP, case)
    refusal = follow_up_refusal(consultation)
    if refusal:
        raise TransitionRefused(refusal)
    text = validate_question(question)
    now = timezone.now()
    follow_up = Question.objects.create(consultation=consultation, round=MAX_ROUNDS, text=text, asked_by=actor)
    # Same rule as the first answer: the handling clock, with the centre's limit for consultations.
    follow_up.clock = clock_start(
        case=case, rule_code="handling", start=now, amount=clock_working_days(case, "handling"), actor=actor
    )
    follow_up.save(update_fields=["clock"])
    case_event_record(case, "follow_up", actor, case.state, note=text[:500])
    case_audit_record(
        case=case,
        actor=actor,
        action="consultation.follow_up",
        obj=follow_up,
        after={"round": follow_up.round, "length": len(text), "due_at": follow_up.clock.due_at},
    )
    consultation_notify(
        [case.handler],
        "consultation.follow_up",
        _("咨询追问待答复：%(number)s") % {"number": case.tracking_number},
        text[:300],
        consultation_url(case) + "answer/",
        f"consultation-question:{follow_up.pk}:asked",
    )
    return follow_up
