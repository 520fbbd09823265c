"""Access-matrix rows of the cooperating organisations (weiyuan/partners) and their webhooks (weiyuan/webhooks).

The world gets two organisations: one kept by the Shanghai centre (`partner_org`), for which the matrix's `partner`
account acts, with an endpoint and a failed delivery; one kept by the Zhejiang centre with the same. The directory
and an organisation's page are read by centre staff, supervisors and admins; the partner reads its own
organisation only (404 elsewhere; the directory sends it to its own page). The keeping centre's staff edit the
organisation and its agreements and redeliver; its director manages accounts and endpoints; accounts, endpoints
and the delivery log are for the keeping centre's staff, admins and the organisation's own accounts (others who
see the organisation: 403 on the log, 404 on an endpoint or a delivery).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_rule,
    only,
)

VIEWERS = {*STAFFLIKE, "admin"}
SEES_SH = VIEWERS | {"partner"}
INTERNALS_SH = {*STAFF_SH, "admin", "partner"}
INTERNALS_ZJ = {*STAFF_ZJ, "admin"}


def extend_world(w: dict[str, Any]) -> None:
    from weiyuan.network.models import Region
    from weiyuan.partners.models import Organisation, OrganisationMember, ServiceAgreement
    from weiyuan.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

    for key, keeper, name in (
        ("partner_org", "shanghai", "上海市测试法院诉调对接中心"),
        ("partner_org_zj", "zhejiang", "浙江测试仲裁委员会"),
    ):
        org = Organisation.objects.create(
            name=name, kind="court", region=Region.objects.get(code="310115"), keeper=w[keeper]
        )
        w[key] = org
        w[f"{key}_agreement"] = ServiceAgreement.objects.create(
            organisation=org, centre=w[keeper], title="合作协议", scope="移交与反馈", starts_on="2026-01-01"
        )
        endpoint = WebhookEndpoint.objects.create(
            organisation=org, url="http://127.0.0.1:9/hook", secret="whsec_test", events=["referral.created"]
        )
        w[f"{key}_endpoint"] = endpoint
        w[f"{key}_delivery"] = WebhookDelivery.objects.create(
            endpoint=endpoint,
            organisation=org,
            event="referral.created",
            payload={},
            state=DeliveryState.FAILED,
            attempts=6,
            next_attempt_at="2026-01-01T00:00:00+08:00",
        )
    if not OrganisationMember.objects.filter(user=w["partner"]).exists():
        OrganisationMember.objects.create(organisation=w["partner_org"], user=w["partner"])
    w["partner_member"] = OrganisationMember.objects.get(user=w["partner"])
    zj_user = _zj_partner()
    w["partner_member_zj"] = OrganisationMember.objects.create(organisation=w["partner_org_zj"], user=zj_user)


def _zj_partner() -> Any:
    from tests.factories import UserFactory
    from weiyuan.accounts.models import Membership
    from weiyuan.core.choices import Role

    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.PARTNER)
    return user


def lists(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in VIEWERS | {"partner"} else FORBIDDEN  # the partner is sent to its own page


def own(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role == "partner" else NOT_FOUND


def org(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def sub(key: str, name: str, value: str) -> Any:
    return lambda w: {"pk": w[key].pk, name: w[value].pk}


def rows(key: str, sees: set[str], internals: set[str], keeper_staff: set[str], director: str) -> dict[str, Route]:
    """The organisation's routes, for one organisation (its keeper's staff, director and who sees its internals)."""
    editors = {*keeper_staff, "admin"}
    managers = {director, "admin"}
    return {
        "partners:detail": Route("GET", kwargs=org(key), expect=case_rule(sees)),
        "partners:edit": Route("GET", kwargs=org(key), expect=case_rule(sees, editors)),
        "partners:status": Route(
            "POST", kwargs=lambda w: {"pk": w[key].pk, "action": "deactivate"}, expect=case_rule(sees, editors)
        ),
        "partners:agreement_create": Route("GET", kwargs=org(key), expect=case_rule(sees, editors)),
        "partners:agreement_edit": Route(
            "GET", kwargs=sub(key, "agreement_pk", f"{key}_agreement"), expect=case_rule(sees, editors)
        ),
        "partners:member_add": Route("GET", kwargs=org(key), expect=case_rule(sees, managers)),
        "partners:member_status": Route(
            "POST",
            kwargs=lambda w: {
                "pk": w[key].pk,
                "member_pk": w["partner_member" if key == "partner_org" else "partner_member_zj"].pk,
                "action": "deactivate",
            },
            expect=case_rule(internals, managers),
        ),
        "partners:endpoint_create": Route("GET", kwargs=org(key), expect=case_rule(sees, managers)),
        "partners:endpoint_edit": Route(
            "GET", kwargs=sub(key, "endpoint_pk", f"{key}_endpoint"), expect=case_rule(internals, managers)
        ),
        "partners:endpoint_action": Route(
            "POST",
            kwargs=lambda w: {"pk": w[key].pk, "endpoint_pk": w[f"{key}_endpoint"].pk, "action": "ping"},
            expect=case_rule(internals, managers),
        ),
        "partners:deliveries": Route("GET", kwargs=org(key), expect=case_rule(sees, internals)),
        "partners:delivery_redeliver": Route(
            "POST", kwargs=sub(key, "delivery_pk", f"{key}_delivery"), expect=case_rule(internals, editors)
        ),
        "api:partner_detail": Route("GET", kwargs=lambda w: {"partner_id": w[key].pk}, expect=case_rule(sees)),
    }


ROUTES: dict[str, Route] = {
    "partners:list": Route("GET", query="kind=court&region=310000", expect=lists),
    "partners:own": Route("GET", expect=own),
    "partners:create": Route("GET", expect=only({*STAFF_SH, *STAFF_ZJ, "admin"})),
    "api:partner_me": Route("GET", expect=own),
    "api:partner_list": Route("GET", query="kind=court", expect=only(VIEWERS)),
    **rows("partner_org", SEES_SH, INTERNALS_SH, STAFF_SH, "sh_director"),
}

# The organisation kept by the Zhejiang centre: the Shanghai staff read it but may not change it; the Shanghai
# organisation's partner sees nothing of it.
OTHER_CENTRE_ROUTES: dict[str, Route] = rows("partner_org_zj", VIEWERS, INTERNALS_ZJ, STAFF_ZJ, "zj_director")
