"""The completeness check of a notice before it is sent: what a platform would reject under Art. 42 ("the notice
shall include preliminary evidence of infringement") and its own rules for notices (the right's certificate, a
right in force, an agent's authority, identifiable listings). `notice_send` refuses to send while any problem is
listed; the draft's page and the API show the list so the rights holder can fix it first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.core.choices import ApplicantKind
from weiyuan.ecommerce.models import MAX_LISTINGS, DocumentKind, Notice
from weiyuan.partners.models import OrganisationKind

STATEMENT_MIN = 10


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str


def notice_problems(notice: Notice, *, today: dt.date | None = None) -> list[Problem]:
    """Everything that stops the notice from being sent (empty: complete). A few queries, none per listing."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    platform = notice.platform
    if platform.kind != OrganisationKind.ECOMMERCE_PLATFORM:
        problems.append(Problem("platform_kind", "platform", _("接收方不是电子商务平台。")))
    elif not platform.active:
        problems.append(Problem("platform_inactive", "platform", _("该电子商务平台已停用。")))
    if not notice.right_number.strip():
        problems.append(Problem("right_number", "right_number", _("缺少权利编号（专利号、商标注册号或登记号）。")))
    if not notice.right_owner.strip():
        problems.append(Problem("right_owner", "right_owner", _("缺少权利人名称。")))
    if notice.right_valid_until is None:
        problems.append(
            Problem("validity_unknown", "right_valid_until", _("缺少权利有效期，平台无法核实权利是否有效。"))
        )
    elif notice.right_valid_until < today:
        problems.append(
            Problem(
                "right_expired",
                "right_valid_until",
                _("权利已于 %(date)s 届满，不在有效期内：平台不会据此采取措施。") % {"date": notice.right_valid_until},
            )
        )
    if notice.right_valid_from is not None and notice.right_valid_from > today:
        problems.append(
            Problem(
                "right_not_yet",
                "right_valid_from",
                _("权利自 %(date)s 起才生效，目前尚不在有效期内。") % {"date": notice.right_valid_from},
            )
        )
    if len((notice.statement or "").strip()) < STATEMENT_MIN:
        problems.append(
            Problem(
                "statement",
                "statement",
                _("请说明侵权事实（至少 %(min)s 个字）：哪些商品、侵犯哪项权利。") % {"min": STATEMENT_MIN},
            )
        )
    kinds = set(notice.documents.values_list("kind", flat=True))
    if DocumentKind.CERTIFICATE not in kinds:
        problems.append(Problem("certificate", "documents", _("缺少权利证书（专利证书、商标注册证或登记证书）。")))
    if DocumentKind.EVIDENCE not in kinds:
        problems.append(
            Problem(
                "evidence", "documents", _("缺少侵权初步证据：《电子商务法》第四十二条要求通知包括构成侵权的初步证据。")
            )
        )
    if notice.sender.applicant_kind == ApplicantKind.AGENT and DocumentKind.POWER_OF_ATTORNEY not in kinds:
        problems.append(Problem("power_of_attorney", "documents", _("代理人发出通知须附权利人的授权委托书。")))
    total = notice.listings.count()
    if total == 0:
        problems.append(Problem("no_listings", "listings", _("请至少列出一条涉嫌侵权的商品链接。")))
    elif total > MAX_LISTINGS:
        problems.append(
            Problem("too_many_listings", "listings", _("每份通知最多 %(limit)s 条链接。") % {"limit": MAX_LISTINGS})
        )
    if notice.listings.filter(url="").exists():
        problems.append(Problem("listing_url", "listings", _("有链接缺少网址：平台无法定位该商品。")))
    return problems
