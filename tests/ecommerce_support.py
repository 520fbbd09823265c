"""Helpers for the e-commerce tests: platforms and their accounts, a rights holder, a complete draft notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.factories import ApplicantFactory, pdf_upload, png_upload
from tests.referrals_support import make_org, partner_of
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.ecommerce import listings as listing_rows
from weiyuan.ecommerce import services
from weiyuan.ecommerce.models import DocumentKind, Notice
from weiyuan.ecommerce.services import NoticeInput
from weiyuan.partners.models import OrganisationKind


def cst(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ)


def make_platform(keeper: Any, **fields: Any) -> Any:
    return make_org(keeper, kind=OrganisationKind.ECOMMERCE_PLATFORM, **fields)


def platform_world(network: dict[str, Any]) -> dict[str, Any]:
    """Two platforms with an account each, a rights holder, and a court's partner account."""
    platform = make_platform(network["shanghai"], name="测试电商平台")
    other = make_platform(network["zhejiang"], name="另一电商平台")
    court = make_org(network["shanghai"])
    return {
        **network,
        "platform": platform,
        "platform_user": partner_of(platform),
        "other_platform": other,
        "other_platform_user": partner_of(other),
        "court_user": partner_of(court),
        "holder": ApplicantFactory(),
    }


def notice_input(**overrides: Any) -> NoticeInput:
    values: dict[str, Any] = {
        "right_type": "trademark",
        "right_number": "12345678",
        "right_title": "云杉",
        "right_owner": "上海云杉服饰有限公司",
        "statement": "下列店铺销售使用与第12345678号注册商标相同标识的服装，构成商标侵权。",
        "right_valid_from": dt.date(2020, 1, 1),
        "right_valid_until": dt.date(2030, 12, 31),
    }
    values.update(overrides)
    return NoticeInput(**values)


def listing_text(n: int, start: int = 1) -> str:
    return "\n".join(f"https://item.example.com/{i}\t店铺{i}\t商品{i}" for i in range(start, start + n))


def draft_notice(w: dict[str, Any], *, listings: int = 3, documents: bool = True, **overrides: Any) -> Notice:
    notice = services.notice_create(
        actor=w["holder"], centre=w["shanghai"], platform=w["platform"], data=notice_input(**overrides)
    )
    if listings:
        services.notice_listings_add(
            notice=notice, actor=w["holder"], parsed=listing_rows.parse_text(listing_text(listings))
        )
    if documents:
        services.notice_documents_add(
            notice=notice, actor=w["holder"], kind=DocumentKind.CERTIFICATE, uploads=[pdf_upload("注册证.pdf")]
        )
        services.notice_documents_add(
            notice=notice, actor=w["holder"], kind=DocumentKind.EVIDENCE, uploads=[png_upload("截图.png")]
        )
    return notice


def sent_notice(w: dict[str, Any], *, now: dt.datetime | None = None, **kwargs: Any) -> Notice:
    notice = draft_notice(w, **kwargs)
    return services.notice_send(notice=notice, actor=w["holder"], now=now)
