"""The two small state machines of a consultation, as declared tables: (action, from-states, to-state, permission,
guards). The case itself moves through the case spine's table (`weiyuan/cases/transitions.py`): sending the first
answer concludes the case through `cases.services.case_conclude`.

Answer of one round (NEW = no answer written yet):
    NEW/draft/returned --save--> draft          (a handler editing a draft waiting for approval keeps it there)
    NEW/draft/returned --submit--> submitted    (a volunteer hands the draft to the handler)
    submitted --return--> returned              (the handler sends it back with a reason)
    NEW/draft/submitted/returned --send--> sent (the handler, approving a volunteer's draft)

Excellent Q&A 优秀问答 (NEW = no open nomination):
    NEW --nominate--> nominated --redact--> redacted --approve--> published
    nominated/redacted --reject--> rejected;  redacted --redact--> redacted (corrected before approval)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.consultations import ConsultationPermission as CP
from weiyuan.access.consultations import consultation_decide
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.consultations.models import Answer, AnswerState, FeaturedQA, FeaturedState, Question

NEW = ""
A = AnswerState
F = FeaturedState


@dataclass(frozen=True)
class Subject:
    """What a step acts on: the case; for an answer step, the round's question and its answer (None before one is
    written); for an excellent-Q&A step, the open nomination (None before there is one)."""

    case: Case
    question: Question | None = None
    answer: Answer | None = None
    first_answer_sent: bool = False
    featured: FeaturedQA | None = None


Guard = Callable[[Subject, Any], str | None]


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str | Callable[[Subject], str]
    permission: CP
    label: Promise
    guards: tuple[Guard, ...] = field(default=())

    def target_for(self, subject: Subject) -> str:
        return self.target(subject) if callable(self.target) else self.target


# --- guards ----------------------------------------------------------------------------------------------------

# Where the case must stand for round 1 to be worked on: accepted and not yet concluded.
ROUND_1_CASE_STATES = (CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.IN_HANDLING, CaseState.REOPENED)


def round_open(subject: Subject, actor: Any) -> str | None:
    case, question = subject.case, subject.question
    if question is None:
        return str(_("没有待答复的问题。"))
    if question.round == 1 and case.state not in ROUND_1_CASE_STATES:
        if case.state in (CaseState.SUBMITTED, CaseState.INFO_REQUESTED, CaseState.TRANSFERRED):
            return str(_("咨询尚未受理，受理后才能撰写答复。"))
        return str(_("咨询状态为「%(state)s」，不能再撰写答复。") % {"state": case.get_state_display()})
    if question.round > 1 and case.state not in (CaseState.CONCLUDED, CaseState.CLOSED):
        return str(_("咨询状态为「%(state)s」，不能答复追问。") % {"state": case.get_state_display()})
    return None


def ready_to_send(subject: Subject, actor: Any) -> str | None:
    """Round 1 is sent by concluding the case: it needs a handler and must be in handling (or about to start)."""
    case, question = subject.case, subject.question
    if question is not None and question.round == 1:
        if case.handler_id is None:
            return str(_("请先在案件页面分派承办人，再发送答复。"))
        if case.state not in (CaseState.ASSIGNED, CaseState.IN_HANDLING):
            return str(
                _("案件状态为「%(state)s」，请先在案件页面分派承办人并开始办理，再发送答复。")
                % {"state": case.get_state_display()}
            )
    return None


def not_waiting_for_approval(subject: Subject, actor: Any) -> str | None:
    """A volunteer's submitted draft is with the handler: only the handler (or director) edits it until it is sent
    or returned."""
    answer = subject.answer
    if answer is not None and answer.state == A.SUBMITTED:
        if not consultation_decide(actor, CP.ANSWER_APPROVE, subject.case):
            return str(_("草稿已提交承办人审核，审核结果出来前不能修改。"))
    return None


def first_answer_sent(subject: Subject, actor: Any) -> str | None:
    if not subject.first_answer_sent:
        return str(_("咨询答复发送后才能推荐为优秀问答。"))
    return None


def not_the_nominator(subject: Subject, actor: Any) -> str | None:
    """Four eyes: who nominated an answer does not also approve its publication."""
    featured = subject.featured
    if featured is not None and featured.nominated_by_id == getattr(actor, "pk", None):
        return str(_("推荐人不能自己批准发布优秀问答：须由另一位负责人批准（四眼原则）。"))
    return None


def _after_save(subject: Subject) -> str:
    # A handler's edit of a draft waiting for approval leaves it waiting (it is approved by sending it).
    if subject.answer is not None and subject.answer.state == A.SUBMITTED:
        return A.SUBMITTED
    return A.DRAFT


ANSWER_STEPS: tuple[Step, ...] = (
    Step(
        "save",
        (NEW, A.DRAFT, A.RETURNED, A.SUBMITTED),
        _after_save,
        CP.ANSWER_WRITE,
        _("保存草稿"),
        (round_open, not_waiting_for_approval),
    ),
    Step("submit", (NEW, A.DRAFT, A.RETURNED), A.SUBMITTED, CP.ANSWER_SUBMIT, _("提交承办人审核"), (round_open,)),
    Step("return", (A.SUBMITTED,), A.RETURNED, CP.ANSWER_APPROVE, _("退回修改"), (round_open,)),
    Step(
        "send",
        (NEW, A.DRAFT, A.SUBMITTED, A.RETURNED),
        A.SENT,
        CP.ANSWER_APPROVE,
        _("发送答复"),
        (round_open, ready_to_send),
    ),
)

FEATURED_STEPS: tuple[Step, ...] = (
    Step("nominate", (NEW,), F.NOMINATED, CP.FEATURE_NOMINATE, _("推荐为优秀问答"), (first_answer_sent,)),
    Step("redact", (F.NOMINATED, F.REDACTED), F.REDACTED, CP.FEATURE_REDACT, _("确认脱敏文本")),
    Step("approve", (F.REDACTED,), F.PUBLISHED, CP.FEATURE_APPROVE, _("审批并发布到知识库"), (not_the_nominator,)),
    Step("reject", (F.NOMINATED, F.REDACTED), F.REJECTED, CP.FEATURE_APPROVE, _("不予采用")),
)

ANSWER_STEPS_BY_ACTION = {s.action: s for s in ANSWER_STEPS}
FEATURED_STEPS_BY_ACTION = {s.action: s for s in FEATURED_STEPS}

STATE_LABELS: dict[str, Promise] = {NEW: _("尚未撰写"), **dict(AnswerState.choices)}
FEATURED_STATE_LABELS: dict[str, Promise] = {NEW: _("未推荐"), **dict(FeaturedState.choices)}


def check_step(table: dict[str, Step], action: str, state: str, subject: Subject, actor: Any) -> Step:
    """The step if the actor may take it now; otherwise TransitionRefused: 400 unknown action, 403 not permitted,
    409 wrong state or a guard (with the reason)."""
    step = table.get(action)
    if step is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = consultation_decide(actor, step.permission, subject.case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if state not in step.sources:
        labels = FEATURED_STATE_LABELS if table is FEATURED_STEPS_BY_ACTION else STATE_LABELS
        raise TransitionRefused(
            str(
                _("当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": labels.get(state, state), "action": step.label}
            )
        )
    for guard in step.guards:
        reason = guard(subject, actor)
        if reason:
            raise TransitionRefused(reason)
    return step


def allowed_steps(table: dict[str, Step], state: str, subject: Subject, actor: Any) -> list[Step]:
    allowed = []
    for action in table:
        try:
            allowed.append(check_step(table, action, state, subject, actor))
        except TransitionRefused:
            continue
    return allowed
