"""Cooperating organisations 合作单位: services (organisations, agreements, accounts), the acting organisation and
API tokens scoped to it, the directory and organisation pages, the API, and their query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.partners_support import credit_code, fresh, make_endpoint, make_org, make_partner, org_input
from weiyuan.accounts.models import ApiToken, Membership, User
from weiyuan.accounts.services import api_token_create
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.partners.models import Organisation, OrganisationMember, ServiceAgreement
from weiyuan.partners.selectors import acting_organisation
from weiyuan.partners.services import (
    AgreementInput,
    agreement_create,
    agreement_update,
    member_create,
    member_link,
    member_set_active,
    organisation_set_active,
    organisation_update,
)
from weiyuan.webhooks.models import WebhookAttempt, WebhookDelivery
from weiyuan.webhooks.services import webhook_enqueue

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


# --- organisations --------------------------------------------------------------------------------------------


def test_staff_record_an_organisation_for_their_own_centre_audited(network: dict[str, Any]) -> None:
    handler = network["sh_handler"]
    org = make_org(handler, network["shanghai"], name="  上海某法院  ", credit_code=credit_code().lower())
    assert org.name == "上海某法院" and org.credit_code == org.credit_code.upper() and org.keeper == network["shanghai"]
    assert AuditEvent.objects.filter(action="partner.create", object_id=str(org.pk)).exists()
    with pytest.raises(ValidationError) as err:
        make_org(handler, network["zhejiang"])
    assert "keeper" in err.value.message_dict
    with pytest.raises(TransitionRefused) as refused:
        make_org(network["sh_supervisor"], network["shanghai"])
    assert refused.value.status == 403


def test_bad_input_names_the_field(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    with pytest.raises(ValidationError) as err:
        make_org(director, network["shanghai"], credit_code="91310000ABCDEFGHIJ")
    assert "credit_code" in err.value.message_dict
    code = credit_code()
    make_org(director, network["shanghai"], credit_code=code, name="甲")
    with pytest.raises(ValidationError) as dup:
        make_org(director, network["shanghai"], credit_code=code, name="乙")
    assert "已登记" in dup.value.message_dict["credit_code"][0]
    with pytest.raises(ValidationError) as bad:
        make_org(director, network["shanghai"], name="", kind="spaceport", contact_email="not-an-email")
    assert {"name", "kind", "contact_email"} <= set(bad.value.message_dict)
    assert Organisation.objects.count() == 1


def test_only_the_keeping_centres_staff_edit_and_changes_are_audited(network: dict[str, Any]) -> None:
    org = make_org(network["sh_director"], network["shanghai"])
    data = org_input(name="新名称", contact_name="王")
    for outsider in ("zj_director", "sh_supervisor", "national_supervisor"):
        with pytest.raises(TransitionRefused):
            organisation_update(actor=network[outsider], organisation=org, data=data)
    organisation_update(actor=network["sh_intake"], organisation=org, data=data)
    org.refresh_from_db()
    assert org.name == "新名称"
    event = AuditEvent.objects.get(action="partner.update")
    assert event.before is not None and event.after is not None
    assert event.after["name"] == "新名称" and "kind" not in event.after
    organisation_set_active(actor=network["sh_handler"], organisation=org, active=False)
    assert not Organisation.objects.get(pk=org.pk).active


def test_agreements_dates_and_statuses(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        agreement_create(
            actor=director,
            organisation=org,
            data=AgreementInput(network["shanghai"], "协议", "范围", today, today - dt.timedelta(days=1)),
        )
    assert "ends_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err2:
        agreement_create(
            actor=director, organisation=org, data=AgreementInput(network["zhejiang"], "协议", "范围", today)
        )
    assert "centre" in err2.value.message_dict
    with pytest.raises(ValidationError) as err3:
        agreement_create(actor=director, organisation=org, data=AgreementInput(network["shanghai"], "", "", today))
    assert {"title", "scope"} <= set(err3.value.message_dict)
    expired = agreement_create(
        actor=director,
        organisation=org,
        data=AgreementInput(
            network["shanghai"],
            "旧协议",
            "范围",
            today.replace(year=today.year - 3),
            today.replace(year=today.year - 1),
        ),
    )
    agreement_create(
        actor=director, organisation=org, data=AgreementInput(network["shanghai"], "现协议", "范围", today)
    )
    agreement_update(
        actor=network["sh_handler"],
        agreement=expired,
        data=AgreementInput(network["shanghai"], "旧协议（已到期）", "范围", expired.starts_on, expired.ends_on),
    )
    page = client_for(network["zj_intake"]).get(reverse("partners:detail", args=[org.pk])).content.decode()
    assert "现协议" in page and "旧协议（已到期）" in page
    assert page.index("现协议") < page.index("旧协议（已到期）")  # current first
    assert "已到期" in page and "有效" in page
    assert ServiceAgreement.objects.filter(organisation=org).count() == 2


# --- accounts -------------------------------------------------------------------------------------------------


def test_the_director_creates_a_partner_account(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    with pytest.raises(TransitionRefused):
        member_create(actor=network["sh_handler"], organisation=org, display_name="张三", email="z@example.cn")
    member, password = member_create(actor=director, organisation=org, display_name="张三", email="Z@Example.cn")
    user = User.objects.get(pk=member.user_id)
    assert user.email == "z@example.cn" and user.check_password(password) and not user.is_applicant
    assert Membership.objects.filter(user=user, role=Role.PARTNER, centre__isnull=True, active=True).exists()
    assert acting_organisation(user) == org
    with pytest.raises(ValidationError) as dup:
        member_create(actor=director, organisation=org, display_name="李四", email="z@example.cn")
    assert "email" in dup.value.message_dict
    with pytest.raises(ValidationError) as empty:
        member_create(actor=director, organisation=org, display_name="", email="")
    assert {"display_name", "email"} <= set(empty.value.message_dict)
    with pytest.raises(ValidationError) as bad_phone:
        member_create(actor=director, organisation=org, display_name="王五", email="w@example.cn", phone="12345")
    assert "phone" in bad_phone.value.message_dict
    with_phone, _pw = member_create(
        actor=director, organisation=org, display_name="王五", email="w@example.cn", phone="+86 138-0013-8000"
    )
    assert User.objects.get(pk=with_phone.user_id).phone == "13800138000"
    with pytest.raises(ValidationError) as dup_phone:
        member_create(actor=director, organisation=org, display_name="王六", email="w6@example.cn", phone="13800138000")
    assert "phone" in dup_phone.value.message_dict


def test_linking_an_existing_account_and_its_limits(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org, other = make_org(director, network["shanghai"]), make_org(director, network["shanghai"])
    plain = UserFactory()
    member = member_link(actor=director, organisation=org, email=plain.email.upper())
    assert member.organisation == org and acting_organisation(fresh(plain)) == org
    assert member_link(actor=director, organisation=org, email=plain.email).pk == member.pk  # idempotent
    with pytest.raises(ValidationError) as elsewhere:
        member_link(actor=director, organisation=other, email=plain.email)
    assert "另一合作单位" in elsewhere.value.message_dict["email"][0]
    for user in (ApplicantFactory(), network["zj_handler"], UserFactory(is_superuser=True)):
        with pytest.raises(ValidationError) as err:
            member_link(actor=director, organisation=org, email=user.email)
        assert "不能同时代表" in err.value.message_dict["email"][0]
    with pytest.raises(ValidationError):
        member_link(actor=director, organisation=org, email="nobody@example.cn")
    # Deactivated at the first organisation, the account may move to another.
    member_set_active(actor=director, member=member, active=False)
    moved = member_link(actor=director, organisation=other, email=plain.email)
    assert moved.pk == member.pk and acting_organisation(fresh(plain)) == other


def test_deactivating_an_account_ends_its_role_tokens_and_sessions(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    partner = make_partner(director, org)
    _row, clear = api_token_create(user=partner, name="同步脚本")
    assert bearer(clear).get(reverse("api:partner_me")).status_code == 200
    generation = partner.session_generation
    member = OrganisationMember.objects.get(user=partner)
    member_set_active(actor=director, member=member, active=False)
    partner = fresh(partner)
    assert acting_organisation(partner) is None
    assert partner.session_generation == generation + 1
    assert not Membership.objects.filter(user=partner, role=Role.PARTNER, active=True).exists()
    assert ApiToken.objects.get(user=partner).revoked_at is not None
    assert bearer(clear).get(reverse("api:partner_me")).status_code == 401
    member_set_active(actor=director, member=OrganisationMember.objects.get(user=partner), active=True)
    assert acting_organisation(fresh(partner)) == org


# --- the acting organisation and scoped tokens ----------------------------------------------------------------


def test_acting_organisation(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    partner = make_partner(director, org)
    assert acting_organisation(partner) == org
    assert acting_organisation(director) is None
    assert acting_organisation(ApplicantFactory()) is None
    assert acting_organisation(None) is None
    request = RequestFactory().get("/")
    request.user = partner
    assert acting_organisation(request) == org  # a request is accepted too
    organisation_set_active(actor=director, organisation=org, active=False)
    assert acting_organisation(fresh(partner)) is None  # a retired organisation has no acting accounts


def test_a_partners_token_is_scoped_to_its_organisation(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org, other = make_org(director, network["shanghai"]), make_org(director, network["shanghai"])
    partner = make_partner(director, org)
    token, clear = api_token_create(user=partner, name="脚本")
    assert token.organisation == org
    staff_token, _ = api_token_create(user=network["sh_handler"], name="脚本")
    assert staff_token.organisation is None
    me = bearer(clear).get(reverse("api:partner_me"))
    assert me.status_code == 200 and me.json()["id"] == org.pk
    # The account is moved to another organisation: the old token no longer works at all.
    member = OrganisationMember.objects.get(user=partner)
    member_set_active(actor=director, member=member, active=False)
    member_link(actor=director, organisation=other, email=partner.email)
    assert bearer(clear).get(reverse("api:partner_me")).status_code == 401
    _t2, clear2 = api_token_create(user=fresh(partner), name="新脚本")
    assert bearer(clear2).get(reverse("api:partner_me")).json()["id"] == other.pk


def test_the_tokens_page_says_which_organisation_a_token_acts_for(network: dict[str, Any], client: Client) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    partner = make_partner(director, org)
    api_token_create(user=partner, name="同步脚本")
    client.force_login(partner)
    html = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "同步脚本" in html and f"代表 {org.name}" in html


def test_an_unscoped_token_of_a_partner_acts_for_no_organisation(network: dict[str, Any]) -> None:
    from tests.api_support import make_token

    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    partner = make_partner(director, org)
    legacy = make_token(partner)  # made before the account joined (organisation = None)
    assert bearer(legacy).get(reverse("api:partner_me")).status_code == 404
    # The same account's browser session acts for the organisation.
    assert client_for(partner).get(reverse("api:partner_me")).json()["id"] == org.pk


# --- pages ----------------------------------------------------------------------------------------------------


def _directory(network: dict[str, Any]) -> list[Organisation]:
    sh, zj = network["shanghai"], network["zhejiang"]
    orgs = [
        make_org(network["sh_director"], sh, name="浦东法院", kind="court", region_code="310115"),
        make_org(network["sh_director"], sh, name="浦东市场监管局", kind="enforcement", region_code="310115"),
        make_org(network["zj_director"], zj, name="杭州电商平台", kind="ecommerce_platform", region_code="330106"),
        make_org(network["zj_director"], zj, name="宁波仲裁委", kind="arbitration", region_code="330200"),
    ]
    return orgs


def test_directory_search_filters_and_pagination(network: dict[str, Any]) -> None:
    _directory(network)
    client = client_for(network["sh_intake"])
    url = reverse("partners:list")

    def names(query: str) -> list[str]:
        page = client.get(f"{url}?{query}")
        assert page.status_code == 200
        return sorted(o.name for o in page.context["page"].object_list)

    assert names("") == sorted(["浦东市场监管局", "浦东法院", "宁波仲裁委", "杭州电商平台"])
    assert names("q=浦东") == sorted(["浦东市场监管局", "浦东法院"])
    assert names("kind=court") == ["浦东法院"]
    assert names("region=330000") == sorted(["宁波仲裁委", "杭州电商平台"])  # a province covers its cities
    assert names("region=330100") == ["杭州电商平台"]
    assert names("kind=nonsense&region=abc&active=maybe") == names("")  # unknown filters are ignored
    for n in range(30):
        make_org(network["sh_director"], network["shanghai"], name=f"调解组织{n:02d}", kind="mediation")
    first = client.get(f"{url}?kind=mediation")
    assert len(first.context["page"].object_list) == 25 and first.context["page"].paginator.count == 30
    assert len(client.get(f"{url}?kind=mediation&page=2").context["page"].object_list) == 5


def test_directory_and_api_list_query_counts_do_not_grow(
    network: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        org = make_org(network["sh_director"], network["shanghai"], name=f"单位{n}")
        agreement_create(
            actor=network["sh_director"],
            organisation=org,
            data=AgreementInput(network["shanghai"], "协议", "范围", timezone.localdate()),
        )
    client = client_for(network["sh_handler"])
    client.get(reverse("partners:list"))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:list")).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("api:partner_list") + "?page_size=100")
    assert response.status_code == 200 and response.json()["count"] == 12


def test_delivery_log_query_count_does_not_grow(
    network: dict[str, Any], django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    make_endpoint(director, org, "http://127.0.0.1:9/a")
    make_endpoint(director, org, "http://127.0.0.1:9/b")
    for n in range(10):
        for d in webhook_enqueue(organisation=org, event="referral.created", payload={"n": n}):
            for k in range(2):
                WebhookAttempt.objects.create(delivery=d, at=timezone.now(), status_code=500, error=f"HTTP 500 #{k}")
    assert WebhookDelivery.objects.count() == 20
    client = client_for(network["sh_handler"])
    client.get(reverse("partners:deliveries", args=[org.pk]))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("partners:deliveries", args=[org.pk]))
    assert page.status_code == 200 and page.content.decode().count("HTTP 500 #1") == 20
    with django_assert_max_num_queries(16):
        assert client.get(reverse("partners:detail", args=[org.pk])).status_code == 200


def test_create_and_edit_through_the_pages(network: dict[str, Any]) -> None:
    client = client_for(network["sh_handler"])
    bad = client.post(
        reverse("partners:create"),
        {"keeper": network["shanghai"].pk, "name": "某调解委员会", "kind": "mediation", "region": "999999"},
    )
    assert bad.status_code == 200 and "region" in bad.context["form"].errors
    assert "行政区划代码" in bad.content.decode()
    ok = client.post(
        reverse("partners:create"),
        {"keeper": network["shanghai"].pk, "name": "某调解委员会", "kind": "mediation", "region": "310000"},
    )
    org = Organisation.objects.get(name="某调解委员会")
    assert ok.status_code == 302 and ok["Location"] == reverse("partners:detail", args=[org.pk])
    edit = client.post(
        reverse("partners:edit", args=[org.pk]),
        {"name": "某调解委员会", "kind": "mediation", "region": "310115", "credit_code": "123"},
    )
    assert edit.status_code == 200 and "credit_code" in edit.context["form"].errors
    agreement = client.post(
        reverse("partners:agreement_create", args=[org.pk]),
        {
            "centre": network["shanghai"].pk,
            "title": "调解协议",
            "scope": "委托调解",
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
        },
    )
    assert agreement.status_code == 200 and "ends_on" in agreement.context["form"].errors


def test_member_and_endpoint_pages_show_secrets_once(network: dict[str, Any], settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    client = client_for(director)
    created = client.post(
        reverse("partners:member_add", args=[org.pk]),
        {"mode": "create", "new-display_name": "赵六", "new-email": "zhao@example.cn"},
    )
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    password = created.context["password"]
    assert password in created.content.decode()
    assert User.objects.get(email="zhao@example.cn").check_password(password)
    assert password not in client.get(reverse("partners:detail", args=[org.pk])).content.decode()
    linked = client.post(reverse("partners:member_add", args=[org.pk]), {"mode": "link", "link-email": "x@nowhere.cn"})
    assert linked.status_code == 200 and "email" in linked.context["link_form"].errors
    endpoint = client.post(
        reverse("partners:endpoint_create", args=[org.pk]),
        {"url": "http://127.0.0.1:9/hook", "events": ["referral.created"], "description": "测试"},
    )
    assert endpoint.status_code == 200 and endpoint.context["secret"].startswith("whsec_")
    secret = endpoint.context["secret"]
    assert secret not in client.get(reverse("partners:detail", args=[org.pk])).content.decode()
    bad = client.post(reverse("partners:endpoint_create", args=[org.pk]), {"url": "ftp://x", "events": ["ping"]})
    assert bad.status_code == 200 and "url" in bad.context["form"].errors
    e = org.webhook_endpoints.get()
    rotated = client.post(reverse("partners:endpoint_action", args=[org.pk, e.pk, "rotate"]))
    assert rotated.context["secret"] != secret


# --- API ------------------------------------------------------------------------------------------------------


def test_api_list_detail_me_and_bad_input(network: dict[str, Any]) -> None:
    orgs = _directory(network)
    from tests.api_support import api_client

    staff_api = api_client(network["zj_intake"])
    listed = staff_api.get(reverse("api:partner_list") + "?region=310000&page_size=1").json()
    assert listed["count"] == 2 and listed["pages"] == 2 and len(listed["items"]) == 1
    assert listed["items"][0]["region"]["code"] == "310115"
    detail = staff_api.get(reverse("api:partner_detail", args=[orgs[0].pk])).json()
    assert detail["name"] == "浦东法院" and detail["agreements"] == []
    bad = staff_api.get(reverse("api:partner_list") + "?kind=spaceport&region=31&active=x")
    assert bad.status_code == 422
    fields = {item["field"] for item in bad.json()["detail"]}
    assert {"kind", "region", "active"} <= fields
    assert staff_api.get(reverse("api:partner_me")).status_code == 404
    partner = make_partner(network["sh_director"], orgs[0])
    _t, clear = api_token_create(user=partner, name="t")
    partner_api = bearer(clear)
    assert partner_api.get(reverse("api:partner_list")).status_code == 403
    assert partner_api.get(reverse("api:partner_detail", args=[orgs[0].pk])).status_code == 200
    assert partner_api.get(reverse("api:partner_detail", args=[orgs[2].pk])).status_code == 404
    assert Client().get(reverse("api:partner_me")).status_code == 401


def test_supervisor_and_other_staff_read_but_do_not_see_internals(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    org = make_org(director, network["shanghai"])
    make_partner(director, org)
    for who in ("sh_supervisor", "zj_director"):
        page = client_for(network[who]).get(reverse("partners:detail", args=[org.pk]))
        assert page.status_code == 200 and not page.context["internals"]
        assert "合作单位账户" not in page.content.decode()
    own = client_for(network["sh_intake"]).get(reverse("partners:detail", args=[org.pk]))
    assert own.context["internals"] and len(own.context["members"]) == 1
    editor = staff(network["shanghai"], Role.EDITOR)  # an editor is no centre staff
    assert client_for(editor).get(reverse("partners:detail", args=[org.pk])).status_code == 404
