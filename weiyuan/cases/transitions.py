"""The case lifecycle as one declared table: (action, from-states, to-state, permission, guards).

The UI and the API list allowed actions from this table; every service in `services.py` goes through
`check_transition` before it changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.policy import Decision, Permission, decide
from weiyuan.cases.models import CONSULTATION_SERVICE, Case, CaseState

S = CaseState
Guard = Callable[[Case, Any], str | None]


def centre_takes_cases(case: Case, actor: Any) -> str | None:
    if not case.centre.takes_cases:
        return str(_("该机构未完成备案，暂不能受理案件。"))
    return None


def major_case_needs_director(case: Case, actor: Any) -> str | None:
    from weiyuan.access.policy import Relation, case_relations

    if case.is_major and Relation.DIRECTOR not in case_relations(actor, case):
        return str(_("重大案件须由中心负责人审批受理。"))
    return None


def has_handler(case: Case, actor: Any) -> str | None:
    if case.handler_id is None:
        return str(_("请先分派承办人。"))
    return None


def consultation_concluded_by_answer(case: Case, actor: Any) -> str | None:
    """A consultation is concluded by sending its answer (weiyuan/consultations: `answer_send` marks the answer
    sent, then concludes the case with it as the result letter), so the applicant gets the answer with its cited
    articles and can rate it and ask the one follow-up. The generic conclude, with a free-text letter, is refused
    until the first answer has been sent (a reopened consultation is concluded here again)."""
    if case.service_type.code != CONSULTATION_SERVICE:
        return None
    from weiyuan.consultations.models import Answer, AnswerState

    sent = Answer.objects.filter(question__consultation__case=case, question__round=1, state=AnswerState.SENT)
    if sent.exists():
        return None
    return str(
        _(
            "咨询通过发送答复办结：请在咨询页面撰写并发送答复，答复和引用的法律条文会一并告知申请人"
            "（通过一般申请表登记的咨询，先点击“按咨询办理”）。"
        )
    )


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | Callable[[Case], str]
    permission: Permission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())
    # Needs more input than a click (a reason, a centre, a letter): the UI opens a form.
    needs_form: bool = False
    style: str = "secondary"

    def target_for(self, case: Case) -> str:
        return self.target(case) if callable(self.target) else self.target


def _after_transfer(case: Case) -> str:
    # A case transferred before acceptance is examined afresh; an accepted one is taken over as accepted.
    return S.SUBMITTED if case.state_before_transfer in (S.SUBMITTED, S.INFO_REQUESTED, "") else S.ACCEPTED


WORKING_STATES = (S.ACCEPTED, S.ASSIGNED, S.IN_HANDLING, S.REOPENED)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit", (S.DRAFT,), S.SUBMITTED, Permission.CASE_SUBMIT, _("提交申请"), (centre_takes_cases,), style="primary"
    ),
    Transition(
        "request_info", (S.SUBMITTED,), S.INFO_REQUESTED, Permission.CASE_REQUEST_INFO, _("要求补正"), needs_form=True
    ),
    Transition(
        "answer_info",
        (S.INFO_REQUESTED,),
        S.SUBMITTED,
        Permission.CASE_ANSWER_INFO,
        _("提交补正材料"),
        needs_form=True,
        style="primary",
    ),
    Transition(
        "accept",
        (S.SUBMITTED,),
        S.ACCEPTED,
        Permission.CASE_ACCEPT,
        _("受理"),
        (centre_takes_cases, major_case_needs_director),
        style="primary",
    ),
    Transition(
        "reject",
        (S.SUBMITTED, S.INFO_REQUESTED),
        S.REJECTED,
        Permission.CASE_REJECT,
        _("不予受理"),
        needs_form=True,
        style="danger",
    ),
    Transition("assign", WORKING_STATES, S.ASSIGNED, Permission.CASE_ASSIGN, _("分派承办人"), needs_form=True),
    Transition(
        "start", (S.ASSIGNED,), S.IN_HANDLING, Permission.CASE_START, _("开始办理"), (has_handler,), style="primary"
    ),
    Transition(
        "conclude",
        (S.IN_HANDLING,),
        S.CONCLUDED,
        Permission.CASE_CONCLUDE,
        _("办结"),
        (has_handler, consultation_concluded_by_answer),
        needs_form=True,
        style="primary",
    ),
    Transition("close", (S.CONCLUDED,), S.CLOSED, Permission.CASE_CLOSE, _("归档")),
    Transition("reopen", (S.CONCLUDED, S.CLOSED), S.REOPENED, Permission.CASE_REOPEN, _("重新办理"), needs_form=True),
    Transition(
        "withdraw",
        (S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.ACCEPTED, S.ASSIGNED, S.IN_HANDLING),
        S.WITHDRAWN,
        Permission.CASE_WITHDRAW,
        _("撤回申请"),
        needs_form=True,
        style="danger",
    ),
    Transition(
        "transfer",
        (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_HANDLING, S.REOPENED),
        S.TRANSFERRED,
        Permission.CASE_TRANSFER,
        _("移送其他机构"),
        needs_form=True,
    ),
    Transition(
        "receive_transfer",
        (S.TRANSFERRED,),
        _after_transfer,
        Permission.CASE_RECEIVE_TRANSFER,
        _("接收移送"),
        (centre_takes_cases,),
        style="primary",
    ),
)

TRANSITIONS_BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


class TransitionRefused(Exception):
    """Raised when an action is not allowed; `status` is 403 for a permission problem, 409 for a state one."""

    def __init__(self, reason: str, status: int = 409) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def check_transition(case: Case, action: str, actor: Any) -> Transition:
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision: Decision = decide(actor, transition.permission, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if case.state not in transition.sources:
        raise TransitionRefused(
            str(
                _("案件当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": case.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(case, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_transitions(case: Case, actor: Any) -> list[Transition]:
    allowed = []
    for transition in TRANSITIONS:
        if case.state not in transition.sources:
            continue
        try:
            check_transition(case, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
