"""Demo cooperating organisations for `manage.py seed_demo`: a court's mediation centre, a market supervision
bureau, an e-commerce platform, a mediation organisation and an arbitration commission, each kept by a demo centre
and recorded by its director through the real services (audit events), with service agreements (one expired, to
show the difference), and the demo partner account (partner@weiyuan.demo) acting for the court's centre.

No webhook endpoints: a demo endpoint would point at an address that does not answer and fill the delivery log
with failures. Idempotent: an organisation whose name is already in the database is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from weiyuan.core.validators import credit_code_check_char
from weiyuan.partners.models import Organisation, OrganisationKind

DEMO_PARTNER_EMAIL = "partner@weiyuan.demo"


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    scope: str
    starts_years_ago: int  # the agreement starts on 1 January, this many years before the current year
    years: int | None  # None: open-ended


@dataclass(frozen=True)
class DemoOrganisation:
    keeper: str  # centre code
    director: str  # the keeping centre's director (records it)
    name: str
    name_en: str
    kind: str
    region: str
    credit_prefix: str  # GB 32100: 11 government organ, 12 public institution, 51 social organisation, 91 company
    address: str
    contact_name: str
    contact_phone: str
    agreements: tuple[DemoAgreement, ...]
    members: tuple[str, ...] = ()


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        keeper="sh-pudong",
        director="director@pd.demo",
        name="上海市浦东新区人民法院诉调对接中心",
        name_en="Litigation-Mediation Centre, Shanghai Pudong New Area People's Court",
        kind=OrganisationKind.COURT,
        region="310115",
        credit_prefix="11",
        address="上海市浦东新区丁香路 611 号",
        contact_name="沈书记员",
        contact_phone="021-58888611",
        agreements=(
            DemoAgreement(
                "知识产权纠纷诉调对接合作协议",
                "诉前委派调解、特邀调解员名册共享、调解协议司法确认衔接、案件移交与结果反馈。",
                1,
                3,
            ),
        ),
        members=(DEMO_PARTNER_EMAIL,),
    ),
    DemoOrganisation(
        keeper="sh-assist",
        director="director@sh.demo",
        name="上海市浦东新区市场监督管理局",
        name_en="Pudong New Area Administration for Market Regulation",
        kind=OrganisationKind.ENFORCEMENT,
        region="310115",
        credit_prefix="11",
        address="上海市浦东新区合欢路 2 号",
        contact_name="知识产权执法科",
        contact_phone="021-50281234",
        agreements=(
            DemoAgreement(
                "知识产权行政执法与维权援助衔接备忘录（2021 年版）",
                "商标侵权、假冒专利线索移送与执法结果反馈。",
                5,
                3,
            ),
            DemoAgreement(
                "知识产权行政执法与维权援助衔接备忘录",
                "商标侵权、假冒专利线索移送；执法检查技术支持；行政处罚决定书反馈；联合培训。",
                2,
                None,
            ),
        ),
    ),
    DemoOrganisation(
        keeper="zj-hangzhou",
        director="director@hz.demo",
        name="杭州云市集网络科技有限公司（平台知识产权保护中心）",
        name_en="Hangzhou Yunshiji Network Technology Co., Ltd. (IP Protection Centre)",
        kind=OrganisationKind.ECOMMERCE_PLATFORM,
        region="330106",
        credit_prefix="91",
        address="浙江省杭州市西湖区文三路 90 号",
        contact_name="平台知识产权保护中心",
        contact_phone="0571-86001234",
        agreements=(
            DemoAgreement(
                "电商平台知识产权快速维权合作协议",
                "侵权投诉（通知）快速处理、必要措施反馈、反通知转送、重复侵权店铺信息共享。",
                1,
                2,
            ),
        ),
    ),
    DemoOrganisation(
        keeper="sh-assist",
        director="director@sh.demo",
        name="上海市知识产权纠纷人民调解委员会",
        name_en="Shanghai People's Mediation Committee for IP Disputes",
        kind=OrganisationKind.MEDIATION,
        region="310000",
        credit_prefix="51",
        address="上海市黄浦区福州路 300 号",
        contact_name="调解秘书处",
        contact_phone="021-63210000",
        agreements=(
            DemoAgreement(
                "知识产权纠纷调解合作协议",
                "维权援助案件委托调解、调解员培训、调解协议反馈。",
                3,
                None,
            ),
        ),
    ),
    DemoOrganisation(
        keeper="gd-assist",
        director="director@gd.demo",
        name="广州仲裁委员会知识产权仲裁中心",
        name_en="Guangzhou Arbitration Commission, IP Arbitration Centre",
        kind=OrganisationKind.ARBITRATION,
        region="440100",
        credit_prefix="12",
        address="广东省广州市天河区体育东路 140 号",
        contact_name="立案处",
        contact_phone="020-83280000",
        agreements=(
            DemoAgreement(
                "知识产权纠纷仲裁衔接合作协议",
                "仲裁条款示范文本推广、案件导入、仲裁结果反馈。",
                4,
                2,
            ),
        ),
    ),
)


def _credit_code(prefix: str, name: str, region: str) -> str:
    digits = "".join(str(b % 10) for b in hashlib.sha256(f"partner:{name}".encode()).digest()[:9])
    first17 = prefix + region + digits
    return first17 + credit_code_check_char(first17)


def partners_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Add the demo organisations that are missing; returns a line for the seed_demo summary."""
    from weiyuan.accounts.models import User
    from weiyuan.network.models import Centre, Region
    from weiyuan.partners.services import (
        AgreementInput,
        OrganisationInput,
        agreement_create,
        member_link,
        organisation_create,
    )

    created = present = 0
    year = timezone.localdate().year
    for spec in DEMO_ORGANISATIONS:
        if Organisation.objects.filter(name=spec.name).exists():
            present += 1
            continue
        director = User.objects.filter(email=spec.director).first()
        keeper = Centre.objects.filter(code=spec.keeper).first()
        if director is None or keeper is None:
            log(f"partners demo: {spec.keeper} or {spec.director} missing, {spec.name} skipped")
            continue
        org = organisation_create(
            actor=director,
            keeper=keeper,
            data=OrganisationInput(
                name=spec.name,
                name_en=spec.name_en,
                kind=spec.kind,
                region=Region.objects.get(code=spec.region),
                credit_code=_credit_code(spec.credit_prefix, spec.name, spec.region),
                address=spec.address,
                contact_name=spec.contact_name,
                contact_phone=spec.contact_phone,
            ),
        )
        for a in spec.agreements:
            starts = dt.date(year - a.starts_years_ago, 1, 1)
            ends = dt.date(starts.year + a.years, 1, 1) - dt.timedelta(days=1) if a.years else None
            agreement_create(
                actor=director,
                organisation=org,
                data=AgreementInput(centre=keeper, title=a.title, scope=a.scope, starts_on=starts, ends_on=ends),
            )
        for email in spec.members:
            if User.objects.filter(email=email).exists():
                member_link(actor=director, organisation=org, email=email)
        created += 1
    return f"Cooperating organisations: {created} demo organisations added, {present} already present."
