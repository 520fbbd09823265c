"""Access-matrix rows of e-commerce fast handling (weiyuan/ecommerce).

The world gets an e-commerce platform kept by the Shanghai centre (no matrix role acts for it: the matrix's
`partner` acts for a court, so it is an outsider here; the platform's own side is walked with its accounts in
tests/test_ecommerce_access.py), a notice sent by `applicant_own` with the Shanghai centre's help (two listings and
a file), a draft of the same, and a notice sent with the Zhejiang centre's help by another applicant.

A sent notice is seen by its sender, the helping centre's staff and the supervisors above it (everyone else: 404,
the court's partner and admins included); the sender and the centre's staff edit, send, complain and download
(supervisors: 403); the platform's steps are refused to all of them (403). A draft is seen by its sender and the
centre's staff only. The list is for applicants, centre staff and supervisors; filing a notice for applicant
accounts; the inbox for platform accounts (here nobody: 403). The public notice is open to everyone.
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    APPLICANTS,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_rule,
    only,
    public,
    signed_in,
)

SEES_A = {"applicant_own", *STAFF_SH, "sh_supervisor", "national_supervisor"}
EDITS_A = {"applicant_own", *STAFF_SH}
SEES_DRAFT = {"applicant_own", *STAFF_SH}
SEES_B = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
NOBODY: set[str] = set()


def extend_world(w: dict[str, Any]) -> None:
    from django.utils import timezone

    from tests.factories import ApplicantFactory, pdf_upload
    from weiyuan.ecommerce.models import Listing, Notice, NoticeDocument
    from weiyuan.evidence.services import evidence_store
    from weiyuan.partners.models import Organisation

    platform = Organisation.objects.create(
        name="测试电商平台（矩阵）", kind="ecommerce_platform", region_id="310115", keeper=w["shanghai"]
    )
    now = timezone.now()
    common = {
        "platform": platform,
        "right_type": "trademark",
        "right_number": "12345678",
        "right_owner": "上海测试有限公司",
        "statement": "销售使用注册商标相同标识的商品。",
    }
    w["ecom_notice_a"] = Notice.objects.create(
        centre=w["shanghai"],
        sender=w["applicant_own"],
        created_by=w["applicant_own"],
        state="sent",
        sent_at=now,
        number="EC-2026-9000001",
        **common,
    )
    w["ecom_draft"] = Notice.objects.create(
        centre=w["shanghai"], sender=w["applicant_own"], created_by=w["applicant_own"], **common
    )
    other = ApplicantFactory()
    w["ecom_notice_b"] = Notice.objects.create(
        centre=w["zhejiang"],
        sender=other,
        created_by=other,
        state="sent",
        sent_at=now,
        number="EC-2026-9000002",
        **common,
    )
    for key in ("ecom_notice_a", "ecom_notice_b"):
        for position in (1, 2):
            w[f"{key}_listing{position}"] = Listing.objects.create(
                notice=w[key],
                position=position,
                url=f"https://item.example.com/{key}/{position}",
                url_key=f"{key}{position}",
                state="notified",
            )
    evidence = evidence_store(upload=pdf_upload("注册证.pdf"), uploaded_by=w["applicant_own"], kind="certificate")
    NoticeDocument.objects.create(notice=w["ecom_notice_a"], kind="certificate", evidence=evidence)
    w["ecom_file_a"] = evidence
    evidence_b = evidence_store(upload=pdf_upload("证书.pdf"), uploaded_by=other, kind="certificate")
    NoticeDocument.objects.create(notice=w["ecom_notice_b"], kind="certificate", evidence=evidence_b)
    w["ecom_file_b"] = evidence_b


def notice(key: str, name: str = "pk") -> Any:
    return lambda w: {name: w[key].pk}


def file_of(key: str, file_key: str, api: bool = False) -> Any:
    first = "notice_id" if api else "pk"
    return lambda w: {first: w[key].pk, "evidence_id": w[file_key].pk}


def listing(key: str, name: str = "pk", **extra: Any) -> Any:
    return lambda w: {name: w[key].pk, **extra}


LISTING_A = "ecom_notice_a_listing1"
LISTING_B = "ecom_notice_b_listing1"

ROUTES: dict[str, Route] = {
    "ecommerce:public": Route("GET", query="platform=1", expect=public),
    "ecommerce:public_detail": Route("GET", kwargs=notice("ecom_notice_a"), expect=public),
    "ecommerce:list": Route("GET", query="state=sent", expect=only(APPLICANTS | STAFFLIKE)),
    "ecommerce:new": Route("GET", expect=only(APPLICANTS)),
    "ecommerce:inbox": Route("GET", expect=only(NOBODY)),
    "ecommerce:detail": Route("GET", kwargs=notice("ecom_notice_a"), expect=case_rule(SEES_A)),
    # A sent notice can no longer be edited: the sender and the centre's staff get 409 (served), others 403 / 404.
    "ecommerce:edit": Route("GET", kwargs=notice("ecom_notice_a"), expect=case_rule(SEES_A, EDITS_A)),
    "ecommerce:listings_add": Route(
        "POST", kwargs=notice("ecom_notice_a"), data=lambda w: {"text": ""}, expect=case_rule(SEES_A, EDITS_A)
    ),
    "ecommerce:documents_add": Route(
        "POST", kwargs=notice("ecom_notice_a"), data=lambda w: {"kind": "evidence"}, expect=case_rule(SEES_A, EDITS_A)
    ),
    "ecommerce:send": Route("POST", kwargs=notice("ecom_notice_a"), expect=case_rule(SEES_A, EDITS_A)),
    "ecommerce:measures_many": Route(
        "POST",
        kwargs=notice("ecom_notice_a"),
        data=lambda w: {"positions": ["1"], "measures": ["delete"]},
        expect=case_rule(SEES_A, NOBODY),
    ),
    "ecommerce:wrong": Route(
        "POST",
        kwargs=notice("ecom_notice_a"),
        data=lambda w: {"basis": "platform", "explanation": ""},
        expect=case_rule(SEES_A, STAFF_SH),
    ),
    "ecommerce:file": Route("GET", kwargs=file_of("ecom_notice_a", "ecom_file_a"), expect=case_rule(SEES_A, EDITS_A)),
    "ecommerce:listing": Route("GET", kwargs=listing(LISTING_A), expect=case_rule(SEES_A)),
    "ecommerce:listing_act": Route(
        "POST",
        kwargs=listing(LISTING_A, action="take_measures"),
        data=lambda w: {"measures": ["delete"]},
        expect=case_rule(SEES_A, NOBODY),
    ),
    # The API. Writes without an Idempotency-Key: whoever may act gets 422 (served); others 403 / 404 first.
    "api:ecommerce_notice_list": Route("GET", query="state=sent", expect=signed_in),
    # An empty body is refused (422) for everyone before any rule, as on POST /api/v1/cases.
    "api:ecommerce_notice_create": Route("POST", json=True, data=lambda w: {}, expect=signed_in),
    "api:ecommerce_notice_detail": Route("GET", kwargs=notice("ecom_notice_a", "notice_id"), expect=case_rule(SEES_A)),
    "api:ecommerce_notice_listings_add": Route(
        "POST",
        kwargs=notice("ecom_notice_a", "notice_id"),
        json=True,
        data=lambda w: {"listings": []},
        expect=case_rule(SEES_A, EDITS_A),
    ),
    "api:ecommerce_notice_documents_add": Route(
        "POST",
        kwargs=notice("ecom_notice_a", "notice_id"),
        data=lambda w: {"kind": "evidence", "files": _pdf()},
        expect=case_rule(SEES_A, EDITS_A),
    ),
    "api:ecommerce_notice_send": Route(
        "POST", kwargs=notice("ecom_notice_a", "notice_id"), json=True, expect=case_rule(SEES_A, EDITS_A)
    ),
    "api:ecommerce_notice_measures": Route(
        "POST",
        kwargs=notice("ecom_notice_a", "notice_id"),
        json=True,
        data=lambda w: {"positions": [1], "measures": ["delete"]},
        expect=case_rule(SEES_A, NOBODY),
    ),
    "api:ecommerce_wrong_notice": Route(
        "POST",
        kwargs=notice("ecom_notice_a", "notice_id"),
        json=True,
        data=lambda w: {"basis": "platform", "explanation": "说明"},
        expect=case_rule(SEES_A, STAFF_SH),
    ),
    "api:ecommerce_notice_file": Route(
        "GET", kwargs=file_of("ecom_notice_a", "ecom_file_a", api=True), expect=case_rule(SEES_A, EDITS_A)
    ),
    "api:ecommerce_listing_detail": Route("GET", kwargs=listing(LISTING_A, "listing_id"), expect=case_rule(SEES_A)),
    "api:ecommerce_listing_clock": Route("GET", kwargs=listing(LISTING_A, "listing_id"), expect=case_rule(SEES_A)),
    "api:ecommerce_listing_measures": Route(
        "POST",
        kwargs=listing(LISTING_A, "listing_id"),
        json=True,
        data=lambda w: {"measures": ["delete"]},
        expect=case_rule(SEES_A, NOBODY),
    ),
    "api:ecommerce_listing_reject": Route(
        "POST",
        kwargs=listing(LISTING_A, "listing_id"),
        json=True,
        data=lambda w: {"reason": "理由"},
        expect=case_rule(SEES_A, NOBODY),
    ),
    "api:ecommerce_counter_notice": Route(
        "POST",
        kwargs=listing(LISTING_A, "listing_id"),
        data=lambda w: {"text": "声明"},
        expect=case_rule(SEES_A, NOBODY),
    ),
    "api:ecommerce_listing_complaint": Route(
        "POST",
        kwargs=listing(LISTING_A, "listing_id"),
        data=lambda w: {"kind": "lawsuit", "body": "法院"},
        expect=case_rule(SEES_A, EDITS_A),
    ),
    "api:ecommerce_listing_restore": Route(
        "POST", kwargs=listing(LISTING_A, "listing_id"), json=True, expect=case_rule(SEES_A, NOBODY)
    ),
}


def _pdf() -> Any:
    from tests.factories import pdf_upload

    return pdf_upload("matrix.pdf")


# The same rows on the Zhejiang centre's notice (and on the Shanghai draft, which only its sender and the
# centre's staff see): the sh_* roles and case A's applicant get 404 on B.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "ecommerce:detail": Route("GET", kwargs=notice("ecom_notice_b"), expect=case_rule(SEES_B)),
    "ecommerce:public_detail": Route("GET", kwargs=notice("ecom_draft"), expect=lambda role: "404"),
    "ecommerce:edit": Route("GET", kwargs=notice("ecom_draft"), expect=case_rule(SEES_DRAFT)),
    "ecommerce:file": Route("GET", kwargs=file_of("ecom_notice_b", "ecom_file_b"), expect=case_rule(SEES_B, STAFF_ZJ)),
    "ecommerce:listing": Route("GET", kwargs=listing(LISTING_B), expect=case_rule(SEES_B)),
    "ecommerce:listing_act": Route(
        "POST",
        kwargs=listing(LISTING_B, action="take_measures"),
        data=lambda w: {"measures": ["delete"]},
        expect=case_rule(SEES_B, NOBODY),
    ),
    "api:ecommerce_notice_detail": Route("GET", kwargs=notice("ecom_notice_b", "notice_id"), expect=case_rule(SEES_B)),
    "api:ecommerce_listing_measures": Route(
        "POST",
        kwargs=listing(LISTING_B, "listing_id"),
        json=True,
        data=lambda w: {"measures": ["delete"]},
        expect=case_rule(SEES_B, NOBODY),
    ),
    "api:ecommerce_notice_file": Route(
        "GET", kwargs=file_of("ecom_notice_b", "ecom_file_b", api=True), expect=case_rule(SEES_B, STAFF_ZJ)
    ),
}
