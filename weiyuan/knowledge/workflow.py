"""The review -> publish workflow of knowledge items as one declared table (action, from-states, effect, permission,
guards), in the style of `weiyuan/cases/transitions.py`.

An item has two states: its public life (`status`: not yet published, published, withdrawn) and the state of its
working draft (`draft_state`: none, draft, in review). A published item being revised stays live on its approved
version while the new draft goes through review; approving the draft replaces the live text.

Every service in `services.py` goes through `check_transition` before it changes anything; the pages and the staff
list show the actions `allowed_transitions` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.knowledge import KbPermission, kb_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.knowledge.models import DraftState, ItemStatus, KnowledgeItem

S = ItemStatus
D = DraftState
Guard = Callable[[KnowledgeItem, Any], str | None]

ANY_STATUS = (S.DRAFT, S.PUBLISHED, S.WITHDRAWN)


def not_the_author(item: KnowledgeItem, actor: Any) -> str | None:
    """Four eyes: whoever wrote the version under review may not approve it."""
    draft = item.draft_version
    if draft is not None and draft.author_id == getattr(actor, "pk", None):
        return str(_("不能审核本人撰写的版本：须由作者机构的另一位负责人或知识库编辑审核（四眼原则）。"))
    return None


def has_published_version(item: KnowledgeItem, actor: Any) -> str | None:
    if item.published_version_id is None:
        return str(_("该条目还没有已发布的版本。"))
    return None


@dataclass(frozen=True)
class ItemTransition:
    action: str
    statuses: tuple[str, ...]  # the item's public life it may start from
    draft_states: tuple[str, ...]  # the working draft's states it may start from ("" = no draft)
    permission: KbPermission
    label: Promise
    effect: Promise  # what it does, for the confirmation page and the docs
    guards: tuple[Guard, ...] = field(default=())
    # Needs more than a click (a reason, or the editor): the UI opens a form.
    needs_form: bool = False
    style: str = "secondary"


TRANSITIONS: tuple[ItemTransition, ...] = (
    ItemTransition(
        "edit",
        ANY_STATUS,
        (D.NONE, D.DRAFT),
        KbPermission.ITEM_EDIT,
        _("编辑"),
        _("修改草稿；修改已发布的条目时生成新的草稿版本，已发布版本在新版本审核通过前继续公开。"),
        needs_form=True,
    ),
    ItemTransition(
        "submit",
        ANY_STATUS,
        (D.DRAFT,),
        KbPermission.ITEM_SUBMIT,
        _("提交审核"),
        _("草稿提交作者机构的负责人或知识库编辑审核。"),
        style="primary",
    ),
    ItemTransition(
        "approve",
        ANY_STATUS,
        (D.IN_REVIEW,),
        KbPermission.ITEM_APPROVE,
        _("审核通过并发布"),
        _("待审核的版本成为公开版本，并更新检索索引。"),
        (not_the_author,),
        style="primary",
    ),
    ItemTransition(
        "return",
        ANY_STATUS,
        (D.IN_REVIEW,),
        KbPermission.ITEM_RETURN,
        _("退回修改"),
        _("待审核的版本退回作者修改，须说明理由。"),
        needs_form=True,
    ),
    ItemTransition(
        "discard",
        (S.PUBLISHED, S.WITHDRAWN),
        (D.DRAFT,),
        KbPermission.ITEM_DISCARD,
        _("放弃修订"),
        _("放弃尚未提交的修订草稿，已发布版本保持不变。"),
        (has_published_version,),
        style="danger",
    ),
    ItemTransition(
        "withdraw",
        (S.PUBLISHED,),
        (D.NONE, D.DRAFT, D.IN_REVIEW),
        KbPermission.ITEM_WITHDRAW,
        _("撤回"),
        _("条目不再公开，并从检索索引中移除；作者机构仍可查看和重新发布。"),
        needs_form=True,
        style="danger",
    ),
    ItemTransition(
        "republish",
        (S.WITHDRAWN,),
        (D.NONE, D.DRAFT, D.IN_REVIEW),
        KbPermission.ITEM_REPUBLISH,
        _("重新发布"),
        _("撤回的条目以其最后发布的版本重新公开。"),
        (has_published_version,),
        style="primary",
    ),
)

TRANSITIONS_BY_ACTION: dict[str, ItemTransition] = {t.action: t for t in TRANSITIONS}


def state_label(item: KnowledgeItem) -> str:
    """How the item's state reads in lists: "已发布", "待审核", "已发布 · 修订待审核" ..."""
    if item.status == S.DRAFT:
        return str(item.get_draft_state_display() if item.draft_state else item.get_status_display())
    if item.draft_state:
        return str(
            _("%(status)s · 修订%(draft)s")
            % {"status": item.get_status_display(), "draft": item.get_draft_state_display()}
        )
    return str(item.get_status_display())


def check_transition(item: KnowledgeItem, action: str, actor: Any) -> ItemTransition:
    """The transition, if the actor may take it now; else TransitionRefused (403 permission, 409 state or guard)."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = kb_decide(actor, transition.permission, item)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    if item.status not in transition.statuses or item.draft_state not in transition.draft_states:
        raise TransitionRefused(
            str(
                _("条目当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": state_label(item), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(item, actor)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_transitions(item: KnowledgeItem, actor: Any) -> list[ItemTransition]:
    allowed = []
    for transition in TRANSITIONS:
        try:
            check_transition(item, transition.action, actor)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
