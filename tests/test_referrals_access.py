"""Who may do what with a referral (weiyuan/access/referrals.py), role by role: the partner of the organisation it is
addressed to, a partner of another organisation, the applicant, an expert with a task on the case, the case
centre's intake officer, assigned handler and director, another centre's director, supervisors of the centre, of
another subtree and of the whole network. Seeing nothing answers 404; seeing but not acting answers 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.referrals_support import case_files, make_org, partner_of, referrable_case
from weiyuan.access.referrals import (
    CASE_REFERRAL_PERMISSIONS,
    REFERRAL_PERMISSIONS,
    ReferralPermission,
    ReferralRelation,
    case_referral_decide,
    has_referral_list,
    is_partner_account,
    referral_decide,
)
from weiyuan.accounts.models import Membership
from weiyuan.cases.models import CaseAssignment
from weiyuan.core.choices import Role
from weiyuan.referrals import services
from weiyuan.referrals.selectors import referral_list

pytestmark = pytest.mark.django_db
P = ReferralPermission
OK, NOT_FOUND, FORBIDDEN = 200, 404, 403

ROLES = [
    "partner_own",
    "partner_other",
    "applicant",
    "expert",
    "sh_intake",
    "sh_handler",
    "sh_director",
    "zj_director",
    "sh_supervisor",
    "zj_supervisor",
    "national_supervisor",
]
SEES = {"partner_own", "sh_intake", "sh_handler", "sh_director", "sh_supervisor", "national_supervisor"}


def test_the_permission_table():
    RR = ReferralRelation
    assert REFERRAL_PERMISSIONS[P.ACKNOWLEDGE] == {RR.PARTNER}
    assert REFERRAL_PERMISSIONS[P.DECIDE] == REFERRAL_PERMISSIONS[P.REPORT] == REFERRAL_PERMISSIONS[P.CONCLUDE]
    assert REFERRAL_PERMISSIONS[P.WITHDRAW] == {RR.MANAGER}
    assert RR.SUPERVISOR not in REFERRAL_PERMISSIONS[P.DOWNLOAD]
    assert RR.SUPERVISOR in REFERRAL_PERMISSIONS[P.VIEW]
    assert {r.value for r in CASE_REFERRAL_PERMISSIONS[P.CREATE]} == {"director", "assigned_handler"}


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = referrable_case(network, w["applicant"])
    w["org"] = make_org(network["shanghai"], name="上海知识产权法院")
    w["org_other"] = make_org(network["shanghai"], name="浦东调解中心")
    w["partner_own"] = partner_of(w["org"])
    w["partner_other"] = partner_of(w["org_other"])
    w["zj_supervisor"] = staff(network["zhejiang"], Role.SUPERVISOR)
    w["expert"] = UserFactory()
    Membership.objects.create(user=w["expert"], centre=None, role=Role.EXPERT)
    CaseAssignment.objects.create(
        case=w["case"], user=w["expert"], kind="expert", task="比对", assigned_by=network["sh_director"]
    )
    (w["referral"],) = services.referral_send(
        case=w["case"],
        actor=network["sh_director"],
        organisations=[w["org"]],
        cover_letter="请依法处理本案被请求人的侵权行为。",
        documents=case_files(w["case"])[:1],
    )
    return w


def fresh(w: dict[str, Any], role: str) -> Any:
    """The user re-read, so no access state is cached between checks."""
    return type(w[role]).objects.get(pk=w[role].pk)


def client(w: dict[str, Any], role: str) -> Client:
    c = Client()
    c.force_login(w[role])
    return c


@pytest.mark.parametrize("role", ROLES)
def test_view_web_and_api(w, role):
    expected = OK if role in SEES else NOT_FOUND
    c = client(w, role)
    assert c.get(reverse("referrals:detail", args=[w["referral"].pk])).status_code == expected
    assert c.get(f"/api/v1/referrals/{w['referral'].pk}").status_code == expected
    listed = [r.pk for r in referral_list(user=fresh(w, role))]
    assert listed == ([w["referral"].pk] if role in SEES else [])


@pytest.mark.parametrize("role", ROLES)
def test_partner_actions(w, role):
    decision = referral_decide(fresh(w, role), P.ACKNOWLEDGE, w["referral"])
    status = client(w, role).post(reverse("referrals:act", args=[w["referral"].pk, "acknowledge"])).status_code
    if role == "partner_own":
        assert decision and status == 302
    elif role in SEES:
        assert not decision and status == FORBIDDEN
    else:
        assert not decision and status == NOT_FOUND


@pytest.mark.parametrize("role", ROLES)
def test_withdraw(w, role):
    may = {"sh_handler", "sh_director"}  # the assigned handler and the director
    status = (
        client(w, role)
        .post(reverse("referrals:act", args=[w["referral"].pk, "withdraw"]), {"reason": "申请人已与对方和解。"})
        .status_code
    )
    assert status == (302 if role in may else FORBIDDEN if role in SEES else NOT_FOUND)


@pytest.mark.parametrize("role", ROLES)
def test_download_shared_file(w, role):
    shared = case_files(w["case"])[0]
    status = client(w, role).get(reverse("referrals:document", args=[w["referral"].pk, shared.pk])).status_code
    may = {"partner_own", "sh_intake", "sh_handler", "sh_director"}
    assert status == (OK if role in may else FORBIDDEN if role in SEES else NOT_FOUND)


@pytest.mark.parametrize("role", ROLES)
def test_send_from_the_case(w, role):
    user = fresh(w, role)
    may = {"sh_handler", "sh_director"}
    assert bool(case_referral_decide(user, P.CREATE, w["case"])) == (role in may)
    status = client(w, role).get(reverse("referrals:send", args=[w["case"].tracking_number])).status_code
    sees_case = {"applicant", "sh_intake", "sh_handler", "sh_director", "sh_supervisor", "national_supervisor"}
    assert status == (OK if role in may else FORBIDDEN if role in sees_case else NOT_FOUND)


@pytest.mark.parametrize("role", ROLES)
def test_case_section_and_lists(w, role):
    user = fresh(w, role)
    section = bool(case_referral_decide(user, P.VIEW_CASE_SECTION, w["case"]))
    assert section == (role in {"sh_intake", "sh_handler", "sh_director", "sh_supervisor", "national_supervisor"})
    staffish = {"sh_intake", "sh_handler", "sh_director", "zj_director", "sh_supervisor", "zj_supervisor"}
    staffish |= {"national_supervisor"}
    assert has_referral_list(user) == (role in staffish)
    assert client(w, role).get(reverse("referrals:list")).status_code == (OK if role in staffish else FORBIDDEN)
    partner = role in {"partner_own", "partner_other"}
    assert is_partner_account(user) == partner
    assert client(w, role).get(reverse("referrals:inbox")).status_code == (OK if partner else FORBIDDEN)
    assert client(w, role).get(reverse("referrals:inbound")).status_code == (OK if partner else FORBIDDEN)


def test_an_inactive_membership_or_organisation_acts_for_nobody(w):
    member = w["partner_own"].partner_membership
    member.active = False
    member.save()
    assert client(w, "partner_own").get(reverse("referrals:detail", args=[w["referral"].pk])).status_code == 404
    member.active = True
    member.save()
    w["org"].active = False
    w["org"].save()
    assert not is_partner_account(fresh(w, "partner_own"))


def test_anonymous_is_sent_to_log_in(w):
    response = Client().get(reverse("referrals:detail", args=[w["referral"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get("/api/v1/referrals").status_code == 401
