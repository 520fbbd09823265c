"""The life of a spending entry as one declared table (action, from-states, to-state, permission, guards), in the
style of `weiyuan/feedback/flow.py`:

    draft     -> submitted   centre staff submit it for approval (the over-budget reason checked again)
    returned  -> submitted   after correcting a returned entry
    submitted -> approved    the centre's director approves; never the one who submitted it (four eyes), and only
                             with a written reason if it now goes over the remaining budget
    submitted -> returned    the director sends it back with a note
    approved  -> voided      the director voids an approved entry with a reason (it stops counting)

Approved and voided entries are not edited (409). The services go through `check_spending_transition` first; the
page and the API list the allowed actions from the same table; `tests/test_funds_flow.py` walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.funds import FundsPermission, funds_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.funds.models import SpendingEntry, SpendingState

S = SpendingState
P = FundsPermission


def not_the_submitter(entry: SpendingEntry, actor: Any) -> str:
    """Four eyes: whoever submitted an entry does not approve it."""
    if entry.submitted_by_id is not None and entry.submitted_by_id == actor.pk:
        return str(_("您提交的支出须由本机构另一位负责人审批（四眼原则）。"))
    return ""


@dataclass(frozen=True)
class SpendingTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: FundsPermission
    label: Promise
    # The text the action needs, named as the form field ("" for none) and whether it is required.
    text_field: str = ""
    text_required: bool = False
    guards: tuple[Callable[[SpendingEntry, Any], str], ...] = field(default=())


TRANSITIONS: tuple[SpendingTransition, ...] = (
    SpendingTransition("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, P.SPENDING_SUBMIT, _("提交审批")),
    SpendingTransition(
        "approve", (S.SUBMITTED,), S.APPROVED, P.SPENDING_APPROVE, _("批准"), "note", False, (not_the_submitter,)
    ),
    SpendingTransition("return", (S.SUBMITTED,), S.RETURNED, P.SPENDING_RETURN, _("退回"), "note", True),
    SpendingTransition("void", (S.APPROVED,), S.VOIDED, P.SPENDING_VOID, _("作废"), "reason", True),
)

TRANSITIONS_BY_ACTION: dict[str, SpendingTransition] = {t.action: t for t in TRANSITIONS}
EDITABLE_STATES = (S.DRAFT, S.RETURNED)


def check_spending_transition(entry: SpendingEntry, action: str, actor: Any) -> SpendingTransition:
    """The transition if `actor` may take it now; else TransitionRefused (400 unknown, 404 unseen, 403, 409)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = funds_decide(actor, transition.permission, entry.centre)
    if not decision:
        seen = bool(funds_decide(actor, P.FUNDS_VIEW, entry.centre))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if entry.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("支出当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": entry.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(entry, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_spending_actions(entry: SpendingEntry, actor: Any) -> list[SpendingTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_spending_transition(entry, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
