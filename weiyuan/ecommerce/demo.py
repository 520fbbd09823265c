"""Demo e-commerce notices for `manage.py seed_demo`: the demo e-commerce platform of weiyuan/partners/demo.py gets a
partner account (platform@weiyuan.demo, linked by the director of the Hangzhou centre that keeps the platform), and
the demo company (company@weiyuan.demo) has notices to it, prepared with the Shanghai assistance centre, in every
state: a draft the completeness check still stops, one just sent, one with measures taken (and one listing the
platform rejected), one with a counter-notice whose 15-day wait is running, one restored by the sweep at expiry and
confirmed by the platform, and one where the company filed a complaint within the wait. All through the services
at simulated times (audit events, steps, notices). Idempotent: nothing is added once the company has a notice to
the platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from weiyuan.core.demo_content import pdf_file, png_file

PLATFORM = "杭州云市集网络科技有限公司（平台知识产权保护中心）"
PLATFORM_EMAIL = "platform@weiyuan.demo"
PLATFORM_ACCOUNT_NAME = "云市集平台知识产权保护中心"
KEEPER_DIRECTOR = "director@hz.demo"
SENDER_EMAIL = "company@weiyuan.demo"
CENTRE = "sh-assist"
PARTNER_EMAIL = "partner@weiyuan.demo"  # its password hash is reused (demo_logins checks each hash once)
HOST = "item.yunshiji.example"
PRODUCTS = ("云澜智能音箱", "云澜扫地机器人", "云澜智能台灯", "云澜空气净化器")
SHOPS = ("极速数码专营店", "优选家电小铺", "百货折扣店", "数码潮品馆")


def _platform_account(platform: Any) -> Any:
    from django.contrib.auth.hashers import make_password

    from weiyuan.accounts.models import User
    from weiyuan.core.demo_content import DEMO_PASSWORD
    from weiyuan.partners.services import member_link

    user = User.objects.filter(email=PLATFORM_EMAIL).first()
    if user is None:
        partner = User.objects.filter(email=PARTNER_EMAIL).first()
        user = User.objects.create(
            username=PLATFORM_EMAIL.replace("@", "."),
            email=PLATFORM_EMAIL,
            email_verified=True,
            display_name=PLATFORM_ACCOUNT_NAME,
            organisation_name=platform.name,
            password=partner.password if partner is not None else make_password(DEMO_PASSWORD),
        )
    director = User.objects.get(email=KEEPER_DIRECTOR)
    member_link(actor=director, organisation=platform, email=PLATFORM_EMAIL)
    return user


def _listings(n: int, start: int) -> str:
    return "\n".join(
        f"https://{HOST}/goods/{880000 + i}\t{SHOPS[i % len(SHOPS)]}\t{PRODUCTS[i % len(PRODUCTS)]}（仿冒「云澜」商标）"
        for i in range(start, start + n)
    )


def ecommerce_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Add the demo platform account and notices if missing; returns a line for the seed_demo summary."""
    from weiyuan.accounts.models import User
    from weiyuan.core.demo_network import simulated_now
    from weiyuan.ecommerce import listing_services as ls
    from weiyuan.ecommerce import services
    from weiyuan.ecommerce.listings import parse_text
    from weiyuan.ecommerce.models import DocumentKind, Notice
    from weiyuan.ecommerce.sweep import sweep_counter_notice_waits
    from weiyuan.network.models import Centre
    from weiyuan.partners.models import Organisation

    platform = Organisation.objects.filter(name=PLATFORM).first()
    sender = User.objects.filter(email=SENDER_EMAIL).first()
    centre = Centre.objects.filter(code=CENTRE).first()
    if platform is None or sender is None or centre is None or not User.objects.filter(email=KEEPER_DIRECTOR).exists():
        log("e-commerce demo: the demo platform, company@weiyuan.demo or sh-assist is missing; skipped")
        return "E-commerce notices: skipped (no demo platform)."
    if Notice.objects.filter(sender=sender, platform=platform).exists():
        return "E-commerce notices: demo notices already present."
    account = _platform_account(platform)
    now = timezone.now()
    ago = lambda days, hours=0: now - dt.timedelta(days=days, hours=hours)  # noqa: E731

    def draft(at: dt.datetime, listings: int, start: int, *, evidence: bool = True) -> Any:
        with simulated_now(at):
            notice = services.notice_create(
                actor=sender,
                centre=centre,
                platform=platform,
                data=services.NoticeInput(
                    right_type="trademark",
                    right_number="45678912",
                    right_title="云澜",
                    right_owner=sender.display_name,
                    statement=(
                        "下列链接销售的智能家电使用与第45678912号「云澜」注册商标（核定使用商品第9类）相同的标识，"
                        "商品并非权利人生产或授权销售，构成商标侵权。"
                    ),
                    right_valid_from=dt.date(2019, 6, 7),
                    right_valid_until=dt.date(2029, 6, 6),
                ),
            )
            services.notice_listings_add(notice=notice, actor=sender, parsed=parse_text(_listings(listings, start)))
            services.notice_documents_add(
                notice=notice,
                actor=sender,
                kind=DocumentKind.CERTIFICATE,
                uploads=[pdf_file("商标注册证.pdf", "Trademark registration 45678912 (demo)")],
            )
            if evidence:
                services.notice_documents_add(
                    notice=notice, actor=sender, kind=DocumentKind.EVIDENCE, uploads=[png_file("商品页面截图.png")]
                )
        return notice

    def send(notice: Any, at: dt.datetime) -> Any:
        with simulated_now(at):
            return services.notice_send(notice=notice, actor=sender)

    def measures(notice: Any, at: dt.datetime, positions: list[int]) -> None:
        with simulated_now(at):
            ls.measures_record_many(notice=notice, actor=account, positions=positions, measures=["delete", "block"])

    def counter(notice: Any, position: int, at: dt.datetime) -> Any:
        with simulated_now(at):
            return ls.counter_notice_record(
                listing=notice.listings.get(position=position),
                actor=account,
                text="本店销售的商品系从云澜品牌授权经销商处进货，附进货合同和发票，不存在侵权行为。",
                files=[pdf_file("进货发票.pdf", "Purchase invoice (demo)")],
            )

    # A draft the completeness check still stops (no preliminary evidence yet).
    draft(ago(1, 3), 3, 0, evidence=False)
    # Just sent: the platform has not acted yet.
    send(draft(ago(0, 5), 4, 10), ago(0, 2))
    # Measures taken on three listings; the platform did not act on the fourth.
    notice = send(draft(ago(7), 4, 20), ago(6))
    measures(notice, ago(5), [1, 2, 3])
    with simulated_now(ago(5)):
        ls.listing_reject(
            listing=notice.listings.get(position=4), actor=account, reason="链接对应商品已下架，页面无法打开。"
        )
    # A counter-notice three days ago: the 15-day wait is running.
    notice = send(draft(ago(11), 3, 30), ago(10))
    measures(notice, ago(9), [1, 2, 3])
    counter(notice, 1, ago(3))
    # The wait ended without a complaint: the sweep restored the listing, the platform confirmed it.
    notice = send(draft(ago(46), 2, 40), ago(45))
    measures(notice, ago(44), [1, 2])
    listing = counter(notice, 1, ago(35))
    with simulated_now(listing.wait_due_at + dt.timedelta(minutes=5)):
        sweep_counter_notice_waits()
    with simulated_now(listing.wait_due_at + dt.timedelta(days=1)):
        ls.listing_restore(listing=listing, actor=account)
    # A complaint to the market regulator within the wait: the measures stay.
    notice = send(draft(ago(31), 2, 50), ago(30))
    measures(notice, ago(29), [1, 2])
    listing = counter(notice, 1, ago(20))
    with simulated_now(ago(12)):
        ls.listing_complain(
            listing=listing,
            actor=sender,
            kind="complaint",
            body="杭州市西湖区市场监督管理局",
            document=pdf_file("投诉受理回执.pdf", "Complaint acknowledgement (demo)"),
        )
    made = Notice.objects.filter(sender=sender, platform=platform).count()
    return f"E-commerce notices: {made} demo notices to {platform.name} ({PLATFORM_EMAIL}) added."
