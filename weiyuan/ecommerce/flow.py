"""The life of one listing of a notice, as one declared table (action, from-states, to-state, permission, guards),
in the style of `weiyuan/referrals/flow.py`:

    draft            -> notified          the notice is sent to the platform (all its listings at once)
    notified         -> measures_taken    the platform records its measures (Art. 42: delete, block, disconnect,
                                          terminate transactions and services)
    notified         -> rejected          the platform takes no measure, with its reason (final)
    measures_taken   -> counter_noticed   the seller's counter-notice with preliminary evidence reaches the rights
                                          holder (Art. 43): the 15-day wait starts
    counter_noticed  -> complaint_filed   the rights holder records a complaint to an authority or a lawsuit, with its
                                          document, within the wait: the measures stay (final)
    counter_noticed  -> restored          the wait ended without a complaint or lawsuit: the measures end (the sweep,
                                          or the platform once the due time has passed)
    restored         -> restored          the platform confirms it ended the measures

`check_listing_transition` answers 400 (unknown action), 404 (the caller does not see the notice), 403 (sees it,
may not act), 409 (not in this state, or a guard: the wait has not ended, has ended, ...). Pages and the API list
the allowed actions from the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.access.ecommerce import EcommercePermission, notice_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.ecommerce.models import Listing, ListingState

S = ListingState
P = EcommercePermission
Guard = Callable[[Listing, Any, dt.datetime], str | None]


def platform_active(listing: Listing, actor: Any, now: dt.datetime) -> str | None:
    if not listing.notice.platform.active:
        return str(_("该电子商务平台已停用。"))
    return None


def within_wait(listing: Listing, actor: Any, now: dt.datetime) -> str | None:
    """Art. 43: the complaint or lawsuit must be notified to the platform within 15 days of the counter-notice."""
    if listing.wait_due_at is not None and now > listing.wait_due_at:
        return str(
            _("《电子商务法》第四十三条：投诉或起诉应在声明到达后十五日内告知平台；期限已于 %(due)s 届满。")
            % {"due": timezone.localtime(listing.wait_due_at).strftime("%Y-%m-%d %H:%M")}
        )
    return None


def wait_over(listing: Listing, actor: Any, now: dt.datetime) -> str | None:
    """The measures end only once the 15-day wait has passed without a complaint or lawsuit (Art. 43)."""
    if listing.wait_due_at is None or now <= listing.wait_due_at:
        due = timezone.localtime(listing.wait_due_at).strftime("%Y-%m-%d %H:%M") if listing.wait_due_at else "—"
        return str(_("《电子商务法》第四十三条：声明到达权利人后十五日内不得终止措施；期限至 %(due)s。") % {"due": due})
    return None


def not_confirmed(listing: Listing, actor: Any, now: dt.datetime) -> str | None:
    if listing.restoration_confirmed_at is not None:
        return str(_("平台已确认终止措施。"))
    return None


@dataclass(frozen=True)
class ListingTransition:
    action: str
    from_states: tuple[str, ...]
    to_state: str
    permission: EcommercePermission
    label: Promise
    guards: tuple[Guard, ...] = field(default=())


TRANSITIONS: tuple[ListingTransition, ...] = (
    ListingTransition("notify", (S.DRAFT,), S.NOTIFIED, P.SEND, _("发送通知")),
    ListingTransition("take_measures", (S.NOTIFIED,), S.MEASURES_TAKEN, P.HANDLE, _("采取措施"), (platform_active,)),
    ListingTransition("reject", (S.NOTIFIED,), S.REJECTED, P.HANDLE, _("不采取措施")),
    ListingTransition(
        "counter_notice", (S.MEASURES_TAKEN,), S.COUNTER_NOTICED, P.HANDLE, _("转送声明"), (platform_active,)
    ),
    ListingTransition(
        "complain", (S.COUNTER_NOTICED,), S.COMPLAINT_FILED, P.COMPLAIN, _("登记投诉或起诉"), (within_wait,)
    ),
    ListingTransition("restore", (S.COUNTER_NOTICED,), S.RESTORED, P.HANDLE, _("终止措施"), (wait_over,)),
    ListingTransition(
        "confirm_restoration", (S.RESTORED,), S.RESTORED, P.HANDLE, _("确认已终止措施"), (not_confirmed,)
    ),
)

TRANSITIONS_BY_ACTION: dict[str, ListingTransition] = {t.action: t for t in TRANSITIONS}


def check_listing_transition(
    listing: Listing, action: str, actor: Any, *, now: dt.datetime | None = None
) -> ListingTransition:
    """The transition if `actor` (None: the sweep) may take it now; else TransitionRefused."""
    now = now or timezone.now()
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("未知操作：%(action)s") % {"action": action}), status=400)
    decision = notice_decide(actor, transition.permission, listing.notice)
    if not decision:
        seen = bool(notice_decide(actor, P.VIEW, listing.notice))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)
    if listing.state not in transition.from_states:
        raise TransitionRefused(
            str(
                _("链接第 %(position)s 条当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"position": listing.position, "state": listing.get_state_display(), "action": transition.label}
            )
        )
    for guard in transition.guards:
        reason = guard(listing, actor, now)
        if reason:
            raise TransitionRefused(reason)
    return transition


def allowed_listing_actions(listing: Listing, actor: Any, *, now: dt.datetime | None = None) -> list[ListingTransition]:
    allowed = []
    for transition in TRANSITIONS:
        if transition.action == "notify":
            continue  # taken for the whole notice by `notice_send`
        try:
            check_listing_transition(listing, transition.action, actor, now=now)
        except TransitionRefused:
            continue
        allowed.append(transition)
    return allowed
