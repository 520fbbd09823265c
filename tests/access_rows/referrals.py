"""Access-matrix rows of referrals (weiyuan/referrals).

The world gets a referral of case A (Shanghai) to the organisation the matrix's `partner` account acts for
(`partner_org`, from tests/access_rows/partners.py, or made here), sharing case A's evidence file, and a referral of
case B (Zhejiang) to another organisation. A referral is seen by the partner it is addressed to, the staff of the
case's centre and supervisors above it (everyone else: 404); only the partner acknowledges, decides and reports
(the others who see it: 403); the shared files are downloaded by the partner and the centre's staff (supervisors:
403). Referring a case is for its assigned handler and its centre's director. The centre's list and statistics are
for centre staff and supervisors; the inbox and the cases referred in for partner accounts (others: 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.access_support import (
    SEES_CASE_A,
    SEES_CASE_B,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_a,
    case_b,
    case_rule,
    only,
    signed_in,
)

SEES_REF_A = {"partner", *STAFF_SH, "sh_supervisor", "national_supervisor"}
SEES_REF_B = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
MAY_DOWNLOAD_A = {"partner", *STAFF_SH}


def _org(w: dict[str, Any], key: str, keeper: str, name: str) -> Any:
    from weiyuan.partners.models import Organisation

    if key not in w:
        w[key] = Organisation.objects.create(name=name, kind="court", region_id="310115", keeper=w[keeper])
    return w[key]


def extend_world(w: dict[str, Any]) -> None:
    from weiyuan.partners.models import OrganisationMember
    from weiyuan.referrals.models import Referral, ReferralDocument

    org = _org(w, "partner_org", "shanghai", "上海市测试法院诉调对接中心")
    other = _org(w, "referral_org_zj", "zhejiang", "浙江测试市场监督管理局")
    if not OrganisationMember.objects.filter(user=w["partner"]).exists():
        OrganisationMember.objects.create(organisation=org, user=w["partner"])
    org = OrganisationMember.objects.get(user=w["partner"]).organisation
    now = timezone.now()
    for key, case, to in (("referral_a", "case_a", org), ("referral_b", "case_b", other)):
        w[key] = Referral.objects.create(
            case=w[case],
            organisation=to,
            sent_by=w["sh_director"] if case == "case_a" else w["zj_director"],
            cover_letter="请依法处理。",
            sent_at=now,
            ack_due_at=now + dt.timedelta(days=3),
            next_chase_at=now + dt.timedelta(days=3),
        )
    ReferralDocument.objects.create(referral=w["referral_a"], evidence=w["evidence_a"])
    ReferralDocument.objects.create(referral=w["referral_b"], evidence=w["evidence_b"])


def ref(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def api_ref(key: str, suffix: dict[str, Any] | None = None) -> Any:
    return lambda w: {"referral_id": w[key].pk, **(suffix or {})}


ROUTES: dict[str, Route] = {
    "referrals:list": Route("GET", query="state=open&overdue=1", expect=only(STAFFLIKE)),
    "referrals:stats": Route("GET", expect=only(STAFFLIKE)),
    "referrals:inbox": Route("GET", query="state=sent", expect=only({"partner"})),
    "referrals:inbound": Route("GET", expect=only({"partner"})),
    "referrals:detail": Route("GET", kwargs=ref("referral_a"), expect=case_rule(SEES_REF_A)),
    "referrals:document": Route(
        "GET",
        kwargs=lambda w: {"pk": w["referral_a"].pk, "evidence_id": w["evidence_a"].pk},
        expect=case_rule(SEES_REF_A, MAY_DOWNLOAD_A),
    ),
    "referrals:act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["referral_a"].pk, "action": "acknowledge"},
        expect=case_rule(SEES_REF_A, {"partner"}),
    ),
    # GET the form: the assigned handler and the director; others who see the case 403; the rest 404.
    "referrals:send": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, {"sh_handler", "sh_director"})),
    "api:referral_list": Route("GET", query="state=open", expect=signed_in),
    "api:referral_stats": Route("GET", expect=only(STAFFLIKE)),
    "api:referral_inbound_list": Route("GET", expect=only({"partner"})),
    # An empty body is refused (422) for everyone before any rule, as on POST /api/v1/cases.
    "api:referral_inbound_create": Route("POST", json=True, data=lambda w: {}, expect=signed_in),
    "api:referral_detail": Route("GET", kwargs=api_ref("referral_a"), expect=case_rule(SEES_REF_A)),
    # Writes without an Idempotency-Key: the partner gets 422 (served, not refused); others 403 / 404 first.
    "api:referral_acknowledge": Route(
        "POST", kwargs=api_ref("referral_a"), json=True, expect=case_rule(SEES_REF_A, {"partner"})
    ),
    "api:referral_decision": Route(
        "POST",
        kwargs=api_ref("referral_a"),
        json=True,
        data=lambda w: {"decision": "accept"},
        expect=case_rule(SEES_REF_A, {"partner"}),
    ),
    "api:referral_report": Route(
        "POST", kwargs=api_ref("referral_a"), data=lambda w: {"text": "进展"}, expect=case_rule(SEES_REF_A, {"partner"})
    ),
    "api:referral_outcome": Route(
        "POST",
        kwargs=api_ref("referral_a"),
        data=lambda w: {"outcome_kind": "other", "summary": "结果"},
        expect=case_rule(SEES_REF_A, {"partner"}),
    ),
    "api:referral_documents": Route("GET", kwargs=api_ref("referral_a"), expect=case_rule(SEES_REF_A)),
    "api:referral_document_download": Route(
        "GET",
        kwargs=lambda w: {"referral_id": w["referral_a"].pk, "evidence_id": w["evidence_a"].pk},
        expect=case_rule(SEES_REF_A, MAY_DOWNLOAD_A),
    ),
}

# The same rows on case B's referral, to another organisation: the matrix's partner and Shanghai staff get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "referrals:detail": Route("GET", kwargs=ref("referral_b"), expect=case_rule(SEES_REF_B)),
    "referrals:document": Route(
        "GET",
        kwargs=lambda w: {"pk": w["referral_b"].pk, "evidence_id": w["evidence_b"].pk},
        expect=case_rule(SEES_REF_B, STAFF_ZJ),
    ),
    "referrals:act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["referral_b"].pk, "action": "acknowledge"},
        expect=case_rule(SEES_REF_B, set()),
    ),
    "referrals:send": Route("GET", kwargs=case_b, expect=case_rule(SEES_CASE_B, {"zj_director"})),
    "api:referral_detail": Route("GET", kwargs=api_ref("referral_b"), expect=case_rule(SEES_REF_B)),
    "api:referral_acknowledge": Route(
        "POST", kwargs=api_ref("referral_b"), json=True, expect=case_rule(SEES_REF_B, set())
    ),
    "api:referral_document_download": Route(
        "GET",
        kwargs=lambda w: {"referral_id": w["referral_b"].pk, "evidence_id": w["evidence_b"].pk},
        expect=case_rule(SEES_REF_B, STAFF_ZJ),
    ),
}
