"""The e-commerce benchmark's data set (`manage.py ecommerce_bench`, PostgreSQL): 10,000 notices with 1,000,000
listings across a few platforms, in the states a running service would hold. Measured in `bench_measure.py`.

Generation is set-based, as in `weiyuan/experts/bench.py`: every row (notices, listings, their counter-notices and
steps) is built in Python from one seeded random generator and written with COPY in one transaction, then
VACUUM ANALYZE. The bench's own platforms, their partner accounts (with a webhook endpoint each, so a restoration
owes a delivery as in production) and the rights holders' accounts are created first; the notices go to the centres
already in the database (those of `make bench` if present), or to a bench centre.

The notices are sent over the last two years (2 % still drafts); a trusted sender's notice is in the fast lane. Per
listing, by the age of its notice: the platform has not yet acted on most listings of the last days' notices; older
ones were rejected (5 %) or had measures taken; a tenth of those got a counter-notice some days after the measures,
whose 15-day wait (`ecommerce_counter_notice_wait`, due time computed by the real calendar) ended in a complaint, a
restoration at expiry (confirmed by the platform), or is still running. Waits due in the last 15 days are left
`counter_noticed`: the backlog of a sweep that has not run, for the sweep to measure. Not generated: files (notice
documents, counter-notice evidence, complaint documents), audit events, outbox notices and webhook deliveries.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ, RULES, compute_due
from weiyuan.core.bench import BenchError, copy_rows, next_id, set_identity
from weiyuan.ecommerce.listing_services import WAIT_RULE
from weiyuan.ecommerce.listings import url_key
from weiyuan.ecommerce.models import (
    CounterNotice,
    Listing,
    ListingState,
    ListingStep,
    Notice,
    NoticeState,
    RestoreReason,
)

S = ListingState
EMAIL_DOMAIN = "ecommerce-bench.invalid"
PLATFORM_NOTE = "ecommerce_bench"
# Name, host, share of the notices: one big platform, two middle ones, a small one.
PLATFORMS: tuple[tuple[str, str, float], ...] = (
    ("基准测试云购商城", "item.yungou-bench.example", 0.5),
    ("基准测试优品网", "detail.youpin-bench.example", 0.25),
    ("基准测试拼拼购", "goods.pinpin-bench.example", 0.15),
    ("基准测试直播优选", "shop.zhibo-bench.example", 0.10),
)
FLOW_PLATFORM = ("基准测试端到端平台", "item.flow-bench.example")
SENDERS = 400
TABLES = ["ecommerce_notice", "ecommerce_listing", "ecommerce_counternotice", "ecommerce_listingstep"]
HEADS = ["杭州", "深圳", "广州", "上海", "义乌", "宁波", "苏州", "东莞", "泉州", "温州", "佛山", "金华"]
WORDS = ["云澜", "青禾", "知途", "锦绣", "晨曦", "海韵", "恒准", "金府", "星河", "明辉", "启航", "瀚海"]
KINDS = ["科技有限公司", "服饰有限公司", "电子有限公司", "文具有限公司", "食品有限公司", "家居用品有限公司"]
PRODUCTS = ["运动鞋", "连衣裙", "蓝牙耳机", "保温杯", "双肩包", "手机壳", "儿童玩具", "茶叶礼盒", "充电宝", "台灯"]
SHOP_TAILS = ["旗舰店", "专卖店", "官方店", "工厂店", "精品店", "小铺"]
RIGHT_TYPES = ["trademark"] * 6 + ["design"] * 2 + ["copyright", "utility_model", "invention"]


@dataclass(frozen=True)
class World:
    platforms: list[Any]  # the generated notices' platforms, biggest first
    platform_users: dict[int, Any]  # platform id -> its partner account
    flow_platform: Any
    senders: list[Any]
    centres: list[int]


def _user(email: str, name: str, **fields: Any) -> Any:
    from weiyuan.accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(
            username=email.replace("@", ".")[:150], email=email, display_name=name, email_verified=True, **fields
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _centres() -> list[int]:
    from weiyuan.network.models import Centre, FilingStatus

    ids = list(
        Centre.objects.filter(filing_status=FilingStatus.APPROVED).order_by("depth", "id").values_list("id", flat=True)
    )[:200]
    if ids:
        return ids
    centre = Centre.objects.create(
        code="bench-ecommerce",
        name="电商维权基准测试中心",
        kind="assistance_centre",
        region_id="330100",
        filing_status=FilingStatus.APPROVED,
        path="/",
    )
    centre.path = f"/{centre.pk}/"
    centre.save(update_fields=["path"])
    return [centre.pk]


def _platform(name: str, host: str, keeper_id: int) -> tuple[Any, Any]:
    """A bench platform with its partner account and a webhook endpoint for the e-commerce events."""
    from weiyuan.accounts.models import Membership
    from weiyuan.core.choices import Role
    from weiyuan.partners.models import Organisation, OrganisationKind, OrganisationMember
    from weiyuan.webhooks.models import WebhookEndpoint

    org = Organisation.objects.filter(name=name, notes=PLATFORM_NOTE).first()
    if org is None:
        org = Organisation.objects.create(
            name=name,
            kind=OrganisationKind.ECOMMERCE_PLATFORM,
            region_id="330100",
            keeper_id=keeper_id,
            website=f"https://{host}/",
            notes=PLATFORM_NOTE,
        )
        WebhookEndpoint.objects.create(
            organisation=org,
            url=f"https://hooks.{host}/weiyuan",
            secret="whsec_bench",
            events=["ecommerce.notice_sent", "ecommerce.complaint_filed", "ecommerce.measures_end"],
        )
    member = OrganisationMember.objects.filter(organisation=org).select_related("user").first()
    if member is not None:
        return org, member.user
    user = _user(f"platform-{org.pk}@{EMAIL_DOMAIN}", f"{name}知识产权保护中心")
    Membership.objects.create(user=user, centre=None, role=Role.PARTNER, organisation=name)
    OrganisationMember.objects.create(organisation=org, user=user)
    return org, user


def world() -> World:
    """The bench's platforms, their accounts and the rights holders (created once, then found)."""
    if connection.vendor != "postgresql":
        raise BenchError("the benchmark needs PostgreSQL (DATABASE_URL=postgres://.../weiyuan_bench)")
    with transaction.atomic():
        centres = _centres()
        platforms, users = [], {}
        for name, host, _share in PLATFORMS:
            org, user = _platform(name, host, centres[0])
            platforms.append(org)
            users[org.pk] = user
        flow_platform, flow_user = _platform(*FLOW_PLATFORM, centres[0])
        users[flow_platform.pk] = flow_user
        senders = _senders()
    return World(platforms, users, flow_platform, senders, centres)


def _senders() -> list[Any]:
    """The rights holders' accounts (applicants; one in five an agent), created in one statement."""
    from django.contrib.auth.hashers import make_password

    from weiyuan.accounts.models import User
    from weiyuan.core.choices import ApplicantKind

    emails = [f"holder-{n}@{EMAIL_DOMAIN}" for n in range(SENDERS)]
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    rng = random.Random(6)
    missing = []
    for n, email in enumerate(emails):
        name = f"{rng.choice(HEADS)}{rng.choice(WORDS)}{n}号{rng.choice(KINDS)}"
        if email not in found:
            missing.append(
                User(
                    username=email.replace("@", "."),
                    email=email,
                    display_name=name,
                    organisation_name=name,
                    email_verified=True,
                    password=make_password(None),
                    applicant_kind=ApplicantKind.ORGANISATION if n % 5 else ApplicantKind.AGENT,
                    region_id="330100",
                )
            )
    for user in User.objects.bulk_create(missing):
        found[user.email] = user
    return [found[e] for e in emails]


def bench_platform_ids() -> list[int]:
    from weiyuan.partners.models import Organisation

    return list(Organisation.objects.filter(notes=PLATFORM_NOTE).values_list("pk", flat=True))


def bench_counts() -> tuple[int, int]:
    """(notices, listings) of the bench's platforms."""
    ids = bench_platform_ids()
    return (
        Notice.objects.filter(platform_id__in=ids).count(),
        Listing.objects.filter(notice__platform_id__in=ids).count(),
    )


def reset() -> None:
    """Delete the generated notices (and everything hanging from them); the platforms and accounts stay."""
    ids = bench_platform_ids()
    if not ids:
        return
    notices = "SELECT id FROM ecommerce_notice WHERE platform_id = ANY(%s)"
    listings = f"SELECT id FROM ecommerce_listing WHERE notice_id IN ({notices})"  # noqa: S608 - constant SQL
    counters = f"SELECT id FROM ecommerce_counternotice WHERE listing_id IN ({listings})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM ecommerce_listingstep WHERE listing_id IN ({listings})",  # noqa: S608
            f"DELETE FROM ecommerce_counternoticedocument WHERE counter_notice_id IN ({counters})",  # noqa: S608
            f"DELETE FROM ecommerce_counternotice WHERE listing_id IN ({listings})",  # noqa: S608
            f"DELETE FROM ecommerce_listing WHERE notice_id IN ({notices})",  # noqa: S608
            f"DELETE FROM ecommerce_noticedocument WHERE notice_id IN ({notices})",  # noqa: S608
            f"DELETE FROM ecommerce_wrongnotice WHERE notice_id IN ({notices})",  # noqa: S608
            "DELETE FROM ecommerce_notice WHERE platform_id = ANY(%s)",
        ):
            cursor.execute(sql, [ids])


def listing_sizes(rng: random.Random, notices: int, listings: int) -> list[int]:
    """Listings per notice, 1 to 300, summing to `listings`: many small notices, a third near the limit."""
    if not notices <= listings <= notices * 300:
        raise BenchError(f"{listings:,} listings do not fit in {notices:,} notices of 1 to 300 listings")
    sizes = []
    for _ in range(notices):
        roll = rng.random()
        sizes.append(
            rng.randint(1, 30) if roll < 0.4 else rng.randint(31, 150) if roll < 0.7 else rng.randint(151, 300)
        )
    gap = listings - sum(sizes)
    step = 1 if gap > 0 else -1
    i = 0
    while gap:
        k = i % notices
        if 1 <= sizes[k] + step <= 300:
            sizes[k] += step
            gap -= step
        i += 1
    return sizes


class _Due:
    """The wait's due time for a counter-notice delivered on a day (the rule counts calendar days from the next
    day), computed with the real calendar for every day up front: the calendar reads the database, which must not
    happen while a COPY is open on the connection."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.cache: dict[dt.date, tuple[dt.datetime, bool]] = {}
        overrides = WorkingCalendar().overrides  # the admins' holiday overrides, read once
        day = first
        while day <= last:
            start = dt.datetime.combine(day, dt.time(12), tzinfo=CHINA_TZ)
            due = compute_due(RULES[WAIT_RULE], start, calendar=WorkingCalendar(overrides=overrides))
            self.cache[day] = (due.due_at, due.calendar_fallback)
            day += dt.timedelta(days=1)

    def __call__(self, at: dt.datetime) -> tuple[dt.datetime, bool]:
        return self.cache[at.astimezone(CHINA_TZ).date()]


def _between(rng: random.Random, start: dt.datetime, hours_min: float, hours_max: float) -> dt.datetime:
    return start + dt.timedelta(hours=rng.uniform(hours_min, hours_max))


def generate(*, notices: int, listings: int, log: Callable[[str], None]) -> float:
    """Write `notices` notices with `listings` listings in total; returns the seconds taken."""
    started = time.monotonic()
    w = world()
    rng = random.Random(20260606)
    now = timezone.now()
    today = timezone.localdate()
    due_for = _Due(today - dt.timedelta(days=740), today)
    sizes = listing_sizes(rng, notices, listings)
    weights = [share for _name, _host, share in PLATFORMS]
    hosts = {org.pk: host for org, (_n, host, _s) in zip(w.platforms, PLATFORMS, strict=True)}
    trusted = set(rng.sample(range(len(w.senders)), len(w.senders) // 8))
    shops = [
        f"{rng.choice(HEADS)}{rng.choice(WORDS)}{rng.choice(PRODUCTS)}{rng.choice(SHOP_TAILS)}" for _ in range(5000)
    ]
    counts = {"notices": 0, "listings": 0, "counter": 0, "steps": 0}
    steps: list[tuple[Any, ...]] = []  # (listing_id, action, state, actor_id, at): written after the listings
    counter_rows: list[tuple[Any, ...]] = []  # (listing_id, platform user id, delivered_at)
    notice_rows: list[dict[str, Any]] = []

    with transaction.atomic():
        wrapper = connection.cursor()
        cursor = wrapper.cursor  # the psycopg cursor, for COPY
        ids = {t: next_id(wrapper, t) for t in TABLES}
        plan: list[tuple[int, Any, dt.datetime | None, int, int]] = []  # (notice, platform, sent_at, size, sender)
        for i, size in enumerate(sizes):
            pk = ids["ecommerce_notice"] + i
            platform = rng.choices(w.platforms, weights)[0]
            sender_n = rng.randrange(len(w.senders))
            sender = w.senders[sender_n]
            draft = rng.random() < 0.02
            # Sent over the last two years, a little more in recent months (the service grows).
            age_days = 730 * rng.random() ** 1.3
            sent_at = None if draft else now - dt.timedelta(days=age_days, minutes=rng.randint(5, 60))
            created = (sent_at or now - dt.timedelta(days=age_days)) - dt.timedelta(hours=rng.uniform(1, 72))
            owner = sender.display_name
            notice_rows.append(
                {
                    "id": pk,
                    "number": f"EC-{timezone.localtime(sent_at):%Y}-{pk:07d}" if sent_at else None,
                    "centre_id": rng.choice(w.centres),
                    "sender_id": sender.pk,
                    "case_id": None,
                    "platform_id": platform.pk,
                    "right_type": rng.choice(RIGHT_TYPES),
                    "right_number": f"{rng.randint(10_000_000, 69_999_999)}",
                    "right_title": rng.choice(WORDS),
                    "right_owner": owner,
                    "right_owner_kind": "organisation",
                    "right_valid_from": dt.date(2016 + rng.randint(0, 8), 1, 1),
                    "right_valid_until": dt.date(2030 + rng.randint(0, 6), 12, 31),
                    "statement": f"下列链接销售的商品使用与权利人{owner}的注册商标相同的标识，构成侵权。",
                    "state": NoticeState.DRAFT if draft else NoticeState.SENT,
                    "sent_at": sent_at,
                    "sent_by_id": None if draft else sender.pk,
                    "fast_lane": bool(sent_at) and sender_n in trusted,
                    "created_by_id": sender.pk,
                    "created_at": created,
                    "updated_at": sent_at or created,
                }
            )
            plan.append((pk, platform, sent_at, size, sender.pk))
        counts["notices"] = copy_rows(cursor, Notice, notice_rows)
        log(f"notices: {counts['notices']:,} written in {time.monotonic() - started:.1f} s")

        def listing_rows() -> Iterator[dict[str, Any]]:
            listing_id = ids["ecommerce_listing"]
            for notice_id, platform, sent_at, size, sender_id in plan:
                actors = (sender_id, w.platform_users[platform.pk].pk)
                for position in range(1, size + 1):
                    url = f"https://{hosts[platform.pk]}/{notice_id}/{position}"
                    row = _listing(rng, now, due_for, sent_at, actors, listing_id, steps, counter_rows)
                    row.update(
                        id=listing_id,
                        notice_id=notice_id,
                        position=position,
                        url=url,
                        url_key=url_key(url),
                        shop=rng.choice(shops),
                        title=f"{rng.choice(WORDS)}{rng.choice(PRODUCTS)}",
                    )
                    listing_id += 1
                    yield row

        counts["listings"] = copy_rows(cursor, Listing, listing_rows())
        log(f"listings: {counts['listings']:,} written in {time.monotonic() - started:.1f} s")
        counts["counter"] = copy_rows(
            cursor,
            CounterNotice,
            (
                {
                    "id": ids["ecommerce_counternotice"] + n,
                    "listing_id": lid,
                    "text": "本店销售的商品系从权利人授权经销商处合法进货，不存在侵权行为，附进货凭证。",
                    "recorded_by_id": uid,
                    "delivered_at": at,
                }
                for n, (lid, uid, at) in enumerate(counter_rows)
            ),
        )
        counts["steps"] = copy_rows(
            cursor,
            ListingStep,
            (
                {
                    "id": ids["ecommerce_listingstep"] + n,
                    "listing_id": lid,
                    "action": action,
                    "state": state,
                    "actor_id": actor,
                    "note": "",
                    "at": at,
                }
                for n, (lid, action, state, actor, at) in enumerate(steps)
            ),
        )
        for table in TABLES:
            set_identity(wrapper, table)
    log(
        f"counter-notices: {counts['counter']:,}, steps: {counts['steps']:,}; "
        f"all written in {time.monotonic() - started:.1f} s"
    )
    if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (a test's)
        with connection.cursor() as c:
            for table in TABLES:
                c.execute(f"VACUUM ANALYZE {table}")
    return time.monotonic() - started


def _listing(
    rng: random.Random,
    now: dt.datetime,
    due_for: _Due,
    sent_at: dt.datetime | None,
    actors: tuple[int, int],
    listing_id: int,
    steps: list[tuple[Any, ...]],
    counter_rows: list[tuple[Any, ...]],
) -> dict[str, Any]:
    """One listing's state and history given its notice's sending time (see the module's docstring); `actors`:
    the sender's and the platform's accounts."""
    sender, platform_user = actors
    if sent_at is None:
        return {"state": S.DRAFT, "updated_at": now}
    steps.append((listing_id, "notify", S.NOTIFIED, sender, sent_at))
    age_days = (now - sent_at).total_seconds() / 86400
    open_share = 0.7 if age_days < 1 else 0.35 if age_days < 3 else 0.003
    if rng.random() < open_share:
        return {"state": S.NOTIFIED, "updated_at": sent_at}
    acted = min(_between(rng, sent_at, 1, 48), now - dt.timedelta(minutes=5))
    if rng.random() < 0.05:
        steps.append((listing_id, "reject", S.REJECTED, platform_user, acted))
        return {"state": S.REJECTED, "rejection_reason": "通知所附证据不足以证明构成侵权。", "updated_at": acted}
    measures = rng.choice([["delete"], ["block"], ["delete", "terminate"], ["disconnect"]])
    row: dict[str, Any] = {"state": S.MEASURES_TAKEN, "measures": measures, "measures_at": acted, "updated_at": acted}
    steps.append((listing_id, "take_measures", S.MEASURES_TAKEN, platform_user, acted))
    if rng.random() >= 0.10:
        return row
    delivered = _between(rng, acted, 24, 20 * 24)
    if delivered >= now - dt.timedelta(hours=1):
        return row  # the seller has not answered yet
    due, fallback = due_for(delivered)
    counter_rows.append((listing_id, platform_user, delivered))
    steps.append((listing_id, "counter_notice", S.COUNTER_NOTICED, platform_user, delivered))
    row.update(
        state=S.COUNTER_NOTICED,
        wait_started_at=delivered,
        wait_due_at=due,
        calendar_fallback=fallback,
        updated_at=delivered,
    )
    complaint_at = _between(rng, delivered, 24, 14 * 24)
    if rng.random() < 0.25 and complaint_at < min(due, now):
        steps.append((listing_id, "complain", S.COMPLAINT_FILED, sender, complaint_at))
        row.update(
            state=S.COMPLAINT_FILED,
            complaint_kind=rng.choice(["complaint", "lawsuit"]),
            complaint_body=rng.choice(["杭州市市场监督管理局", "杭州互联网法院", "广州知识产权法院"]),
            complaint_filed_at=complaint_at,
            updated_at=complaint_at,
        )
        return row
    if due >= now - dt.timedelta(days=15):
        return row  # running, or due in the last 15 days and not yet swept: the sweep's backlog
    restored = due + dt.timedelta(minutes=rng.uniform(1, 5))
    confirmed = _between(rng, restored, 1, 48)
    steps.append((listing_id, "restore", S.RESTORED, None, restored))
    steps.append((listing_id, "confirm_restoration", S.RESTORED, platform_user, confirmed))
    row.update(
        state=S.RESTORED,
        restored_at=restored,
        restore_reason=RestoreReason.EXPIRED,
        restoration_confirmed_at=confirmed,
        updated_at=confirmed,
    )
    return row
