"""Who may do what on an e-commerce notice (weiyuan/access/ecommerce.py): the permission table, the platform's
side (its own notices; another platform's and a court's accounts see nothing), drafts, and the list filter agreeing
with the per-notice rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.ecommerce_support import draft_notice, platform_world, sent_notice
from weiyuan.access.ecommerce import (
    ECOMMERCE_PERMISSIONS,
    EcommercePermission,
    EcommerceRelation,
    has_platform_inbox,
    notice_decide,
)
from weiyuan.ecommerce.models import Notice
from weiyuan.ecommerce.selectors import notice_list

pytestmark = pytest.mark.django_db
P = EcommercePermission
ER = EcommerceRelation


def test_the_permission_table() -> None:
    assert ECOMMERCE_PERMISSIONS == {
        P.COMPLAIN: {ER.SENDER, ER.CENTRE_STAFF},
        P.DOWNLOAD: {ER.SENDER, ER.CENTRE_STAFF, ER.PLATFORM},
        P.EDIT: {ER.SENDER, ER.CENTRE_STAFF},
        P.HANDLE: {ER.PLATFORM, ER.SYSTEM},
        P.RECORD_WRONG: {ER.CENTRE_STAFF, ER.PLATFORM},
        P.SEND: {ER.SENDER, ER.CENTRE_STAFF},
        P.VIEW: {ER.SENDER, ER.CENTRE_STAFF, ER.SUPERVISOR, ER.PLATFORM},
    }
    assert sorted(P) == sorted(P, key=lambda p: p.value)  # named once, alphabetised


# "ok" allowed; "403" sees it but may not; "404" does not see it.
EXPECT: dict[str, dict[P, str]] = {
    "holder": {
        P.VIEW: "ok",
        P.EDIT: "ok",
        P.SEND: "ok",
        P.COMPLAIN: "ok",
        P.DOWNLOAD: "ok",
        P.HANDLE: "403",
        P.RECORD_WRONG: "403",
    },
    "sh_handler": {
        P.VIEW: "ok",
        P.EDIT: "ok",
        P.SEND: "ok",
        P.COMPLAIN: "ok",
        P.DOWNLOAD: "ok",
        P.HANDLE: "403",
        P.RECORD_WRONG: "ok",
    },
    "sh_supervisor": {
        P.VIEW: "ok",
        P.EDIT: "403",
        P.SEND: "403",
        P.COMPLAIN: "403",
        P.DOWNLOAD: "403",
        P.HANDLE: "403",
        P.RECORD_WRONG: "403",
    },
    "platform_user": {
        P.VIEW: "ok",
        P.EDIT: "403",
        P.SEND: "403",
        P.COMPLAIN: "403",
        P.DOWNLOAD: "ok",
        P.HANDLE: "ok",
        P.RECORD_WRONG: "ok",
    },
    "other_platform_user": dict.fromkeys(P, "404"),
    "court_user": dict.fromkeys(P, "404"),
    "zj_director": dict.fromkeys(P, "404"),
}


def outcome(user: Any, permission: P, notice: Notice) -> str:
    if notice_decide(user, permission, notice):
        return "ok"
    return "403" if notice_decide(user, P.VIEW, notice) else "404"


def test_every_role_and_permission_on_a_sent_notice(network: dict[str, Any]) -> None:
    w = platform_world(network)
    notice = sent_notice(w, listings=1)
    wrong = {
        (who, str(permission)): got
        for who, expected in EXPECT.items()
        for permission, want in expected.items()
        if (got := outcome(w[who], permission, notice)) != want
    }
    assert not wrong
    visible = {who for who in EXPECT if notice in notice_list(user=w[who])}
    assert visible == {who for who, expected in EXPECT.items() if expected[P.VIEW] == "ok"}


def test_a_draft_is_for_its_sender_and_the_centre_only(network: dict[str, Any]) -> None:
    w = platform_world(network)
    draft = draft_notice(w)
    assert outcome(w["holder"], P.EDIT, draft) == "ok"
    assert outcome(w["sh_intake"], P.EDIT, draft) == "ok"
    for outsider in ("platform_user", "sh_supervisor", "national_supervisor", "court_user"):
        assert outcome(w[outsider], P.VIEW, draft) == "404", outsider


def test_only_platform_accounts_have_the_inbox_and_a_token_must_be_scoped(network: dict[str, Any]) -> None:
    from tests.test_ecommerce_api import client_of

    w = platform_world(network)
    assert has_platform_inbox(w["platform_user"]) and not has_platform_inbox(w["court_user"])
    assert not has_platform_inbox(w["holder"])
    notice = sent_notice(w, listings=1)
    # A platform account's token not scoped to the platform acts for none: it sees nothing.
    unscoped = client_of(w["platform_user"])
    assert unscoped.get(f"/api/v1/ecommerce/notices/{notice.pk}").status_code == 404
    scoped = client_of(w["platform_user"], w["platform"])
    assert scoped.get(f"/api/v1/ecommerce/notices/{notice.pk}").status_code == 200
    court = Client()
    court.force_login(w["court_user"])
    assert court.get("/ecommerce/inbox/").status_code == 403
