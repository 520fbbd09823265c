"""Who may do what with cooperating organisations (weiyuan/access/partners.py): the permission table, and every
page and API route for roles x actions x the organisation kept by one's own centre / another centre / the
partner's own and an unrelated one. A record one may not see answers 404, an action one may not take 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.partners_support import make_org, make_partner
from weiyuan.access.partners import (
    PARTNER_PERMISSIONS,
    PartnerPermission,
    PartnerRelation,
    database_decide,
    organisation_decide,
    organisation_scope_q,
)
from weiyuan.accounts.models import Membership
from weiyuan.core.choices import Role
from weiyuan.partners.models import Organisation, OrganisationMember
from weiyuan.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

P, R = PartnerPermission, PartnerRelation
OK, NF, FB, LOGIN = 200, 404, 403, "login"


def test_the_permission_table() -> None:
    assert set(PARTNER_PERMISSIONS) == set(PartnerPermission)
    assert PARTNER_PERMISSIONS[P.LIST] == {R.NETWORK_STAFF, R.SUPERVISOR, R.ADMIN}
    assert PARTNER_PERMISSIONS[P.VIEW] == {R.NETWORK_STAFF, R.SUPERVISOR, R.ADMIN, R.MEMBER}
    assert PARTNER_PERMISSIONS[P.EDIT] == {R.KEEPER_STAFF, R.ADMIN}
    assert (
        PARTNER_PERMISSIONS[P.MANAGE_MEMBERS] == PARTNER_PERMISSIONS[P.MANAGE_WEBHOOKS] == {R.KEEPER_DIRECTOR, R.ADMIN}
    )
    assert PARTNER_PERMISSIONS[P.VIEW_INTERNALS] == {R.KEEPER_STAFF, R.ADMIN, R.MEMBER}
    assert PARTNER_PERMISSIONS[P.REDELIVER] == {R.KEEPER_STAFF, R.ADMIN}
    # Nobody outside the network's staff and admins records organisations; members never change anything.
    for permission in (P.CREATE, P.EDIT, P.MANAGE_MEMBERS, P.MANAGE_WEBHOOKS, P.REDELIVER):
        assert R.MEMBER not in PARTNER_PERMISSIONS[permission] and R.SUPERVISOR not in PARTNER_PERMISSIONS[permission]


@pytest.fixture
def world(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["org_sh"] = make_org(network["sh_director"], network["shanghai"], name="上海合作单位")
    w["org_zj"] = make_org(network["zj_director"], network["zhejiang"], name="浙江合作单位")
    w["partner_sh"] = make_partner(network["sh_director"], w["org_sh"])
    w["partner_zj"] = make_partner(network["zj_director"], w["org_zj"])
    unlinked = UserFactory()
    Membership.objects.create(user=unlinked, centre=None, role=Role.PARTNER)
    w["partner_unlinked"] = unlinked
    w["applicant"] = ApplicantFactory()
    for role in (Role.EXPERT, Role.VOLUNTEER):
        user = UserFactory()
        Membership.objects.create(user=user, centre=None, role=role)
        w[role] = user
    w["editor"] = staff(network["shanghai"], Role.EDITOR)
    w["admin"] = UserFactory(is_superuser=True, is_staff=True)
    w["anonymous"] = None
    for key in ("org_sh", "org_zj"):
        endpoint = WebhookEndpoint.objects.create(
            organisation=w[key], url="http://127.0.0.1:9/h", secret="whsec_t", events=["referral.created"]
        )
        w[f"{key}_endpoint"] = endpoint
        w[f"{key}_delivery"] = WebhookDelivery.objects.create(
            endpoint=endpoint,
            organisation=w[key],
            event="referral.created",
            state=DeliveryState.FAILED,
            next_attempt_at="2026-01-01T00:00:00Z",
        )
        w[f"{key}_member"] = OrganisationMember.objects.get(user=w["partner_sh" if key == "org_sh" else "partner_zj"])
    return w


ROLES = [
    "sh_intake",
    "sh_handler",
    "sh_director",
    "zj_director",
    "sh_supervisor",
    "national_supervisor",
    "partner_sh",
    "partner_zj",
    "partner_unlinked",
    "applicant",
    Role.EXPERT,
    Role.VOLUNTEER,
    "editor",
    "admin",
]
KEEPER_STAFF = {"sh_intake", "sh_handler", "sh_director"}
READERS = {"sh_intake", "sh_handler", "sh_director", "zj_director", "sh_supervisor", "national_supervisor", "admin"}

# Towards the Shanghai organisation (kept by the Shanghai centre; partner_sh acts for it).
EXPECTED_SH: dict[PartnerPermission, set[str]] = {
    P.VIEW: READERS | {"partner_sh"},
    P.EDIT: KEEPER_STAFF | {"admin"},
    P.MANAGE_MEMBERS: {"sh_director", "admin"},
    P.MANAGE_WEBHOOKS: {"sh_director", "admin"},
    P.VIEW_INTERNALS: KEEPER_STAFF | {"admin", "partner_sh"},
    P.REDELIVER: KEEPER_STAFF | {"admin"},
}


def test_decisions_roles_by_permission(world: dict[str, Any]) -> None:
    org = Organisation.objects.get(pk=world["org_sh"].pk)
    wrong = []
    for role in ROLES:
        for permission, allowed in EXPECTED_SH.items():
            decision = organisation_decide(world[role], permission, org)
            if bool(decision) != (role in allowed):
                wrong.append((role, permission))
            if not decision:
                assert decision.reason, (role, permission)
    assert not wrong
    # The Zhejiang organisation: Shanghai staff read it, only Zhejiang's keep it; partner_sh sees nothing of it.
    zj = world["org_zj"]
    assert organisation_decide(world["sh_director"], P.VIEW, zj)
    assert not organisation_decide(world["sh_director"], P.EDIT, zj)
    assert not organisation_decide(world["sh_director"], P.VIEW_INTERNALS, zj)
    assert organisation_decide(world["zj_director"], P.MANAGE_WEBHOOKS, zj)
    assert not organisation_decide(world["partner_sh"], P.VIEW, zj)


def test_database_level_and_scope(world: dict[str, Any]) -> None:
    for role in ROLES:
        may_list = bool(database_decide(world[role], P.LIST))
        assert may_list is (role in READERS), role
        may_create = bool(database_decide(world[role], P.CREATE))
        assert may_create is (role in {"sh_intake", "sh_handler", "sh_director", "zj_director", "admin"}), role
        visible = set(Organisation.objects.filter(organisation_scope_q(world[role])).values_list("name", flat=True))
        if role in READERS:
            assert visible == {"上海合作单位", "浙江合作单位"}, role
        elif role == "partner_sh":
            assert visible == {"上海合作单位"}
        elif role == "partner_zj":
            assert visible == {"浙江合作单位"}
        else:
            assert visible == set(), role


def _outcome(client: Client, method: str, url: str) -> Any:
    response = client.get(url) if method == "GET" else client.post(url)
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if response.status_code == 401:
        return LOGIN
    if response.status_code in (301, 302):
        return OK
    return response.status_code


def _rule(sees: set[str], may: set[str]) -> Any:
    def expect(role: str) -> Any:
        if role == "anonymous":
            return LOGIN
        if role not in sees:
            return NF
        return OK if role in may else FB

    return expect


def _routes(key: str) -> dict[str, tuple[str, Any, Any]]:
    """name -> (method, url kwargs from the world, expectation), for the organisation `key`."""
    sh = key == "org_sh"
    sees = READERS | ({"partner_sh"} if sh else {"partner_zj"})
    keeper = KEEPER_STAFF if sh else {"zj_director"}
    director = "sh_director" if sh else "zj_director"
    member = "partner_sh" if sh else "partner_zj"
    internals = keeper | {"admin", member}
    editors = keeper | {"admin"}
    managers = {director, "admin"}

    def pk(w: dict[str, Any]) -> dict[str, Any]:
        return {"pk": w[key].pk}

    return {
        "partners:detail": ("GET", pk, _rule(sees, sees)),
        "partners:edit": ("GET", pk, _rule(sees, editors)),
        "partners:agreement_create": ("GET", pk, _rule(sees, editors)),
        "partners:member_add": ("GET", pk, _rule(sees, managers)),
        "partners:endpoint_create": ("GET", pk, _rule(sees, managers)),
        "partners:endpoint_edit": (
            "GET",
            lambda w: {"pk": w[key].pk, "endpoint_pk": w[f"{key}_endpoint"].pk},
            _rule(internals, managers),
        ),
        "partners:deliveries": ("GET", pk, _rule(sees, internals)),
        "partners:delivery_redeliver": (
            "POST",
            lambda w: {"pk": w[key].pk, "delivery_pk": w[f"{key}_delivery"].pk},
            _rule(internals, editors),
        ),
        "partners:member_status": (
            "POST",
            lambda w: {"pk": w[key].pk, "member_pk": w[f"{key}_member"].pk, "action": "deactivate"},
            _rule(internals, managers),
        ),
        "api:partner_detail": ("GET", lambda w: {"partner_id": w[key].pk}, _rule(sees, sees)),
    }


@pytest.mark.parametrize("key", ["org_sh", "org_zj"])
def test_pages_and_api_roles_by_action(world: dict[str, Any], key: str) -> None:
    from django.db import transaction

    wrong = {}
    for name, (method, kwargs, expect) in _routes(key).items():
        url = reverse(name, kwargs=kwargs(world))
        for role in [*ROLES, "anonymous"]:
            client = Client()
            if world[role] is not None:
                client.force_login(world[role])
            with transaction.atomic():
                got = _outcome(client, method, url)
                transaction.set_rollback(True)
            if got != expect(role):
                wrong[(name, role)] = f"expected {expect(role)}, got {got}"
    assert not wrong


def test_directory_me_and_create(world: dict[str, Any]) -> None:
    for role in [*ROLES, "anonymous"]:
        client = Client()
        if world[role] is not None:
            client.force_login(world[role])
        listing = _outcome(client, "GET", reverse("partners:list"))
        mine = _outcome(client, "GET", reverse("partners:own"))
        create = _outcome(client, "GET", reverse("partners:create"))
        api_me = _outcome(client, "GET", reverse("api:partner_me"))
        api_list = _outcome(client, "GET", reverse("api:partner_list"))
        if role == "anonymous":
            assert {listing, mine, create, api_me, api_list} == {LOGIN}
            continue
        partner = role in ("partner_sh", "partner_zj")
        assert listing == (OK if role in READERS or partner else FB), role
        assert mine == (OK if partner else NF), role
        assert api_me == (OK if partner else NF), role
        assert api_list == (OK if role in READERS else FB), role
        assert create == (OK if role in {"sh_intake", "sh_handler", "sh_director", "zj_director", "admin"} else FB), (
            role
        )
    # The partner's directory link and "mine" lead to its own organisation.
    client = Client()
    client.force_login(world["partner_sh"])
    assert client.get(reverse("partners:list"))["Location"] == reverse("partners:detail", args=[world["org_sh"].pk])
