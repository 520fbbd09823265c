"""E-commerce fast handling, service level: drafting, the completeness check, sending, measures, the counter-notice
and its 15-day wait, complaint, restoration by the sweep, wrong notices and the trusted-sender rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.ecommerce_support import (
    cst,
    draft_notice,
    listing_text,
    make_platform,
    notice_input,
    platform_world,
    sent_notice,
)
from tests.factories import pdf_upload, png_upload
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY
from weiyuan.ecommerce import listing_services as ls
from weiyuan.ecommerce import listings as listing_rows
from weiyuan.ecommerce import services
from weiyuan.ecommerce.checks import notice_problems
from weiyuan.ecommerce.flow import TRANSITIONS, allowed_listing_actions, check_listing_transition
from weiyuan.ecommerce.models import Listing, ListingState, ListingStep, NoticeState, WrongNotice
from weiyuan.ecommerce.sweep import sweep_counter_notice_waits
from weiyuan.ecommerce.trust import TRUST_MIN_VALID_NOTICES, sender_standing
from weiyuan.notifications.models import OutboxMessage
from weiyuan.webhooks.models import WebhookDelivery, WebhookEndpoint

S = ListingState


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    world = platform_world(network)
    WebhookEndpoint.objects.create(
        organisation=world["platform"],
        url="https://hooks.example.com/weiyuan",
        secret="whsec_test",
        events=["ecommerce.notice_sent", "ecommerce.complaint_filed", "ecommerce.measures_end"],
    )
    return world


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CHINA_TZ)


# --- drafting and the completeness check ----------------------------------------------------------------------


def test_completeness_check_lists_what_a_platform_rejects(w: dict[str, Any]) -> None:
    notice = draft_notice(w, listings=0, documents=False, right_valid_until=dt.date(2025, 1, 1))
    codes = {p.code for p in notice_problems(notice, today=dt.date(2026, 3, 1))}
    assert codes == {"right_expired", "certificate", "evidence", "no_listings"}
    with pytest.raises(TransitionRefused) as refused:
        services.notice_send(notice=notice, actor=w["holder"])
    assert "缺少权利证书" in refused.value.reason and "初步证据" in refused.value.reason
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT and notice.number is None


def test_an_agent_needs_a_power_of_attorney(w: dict[str, Any]) -> None:
    w["holder"].applicant_kind = "agent"
    w["holder"].save()
    notice = draft_notice(w)
    assert [p.code for p in notice_problems(notice)] == ["power_of_attorney"]


def test_only_applicant_accounts_file_notices(w: dict[str, Any]) -> None:
    for actor in (w["sh_handler"], w["platform_user"]):
        with pytest.raises(TransitionRefused) as refused:
            services.notice_create(actor=actor, centre=w["shanghai"], platform=w["platform"], data=notice_input())
        assert refused.value.status == 403


def test_the_platform_must_be_an_ecommerce_platform(w: dict[str, Any]) -> None:
    from tests.referrals_support import make_org

    with pytest.raises(ValidationError) as invalid:
        services.notice_create(
            actor=w["holder"], centre=w["shanghai"], platform=make_org(w["shanghai"]), data=notice_input()
        )
    assert "platform" in invalid.value.message_dict


# --- listings: the bad input of issue #6 ----------------------------------------------------------------------


def test_301_listings_are_refused_naming_the_limit_and_nothing_changes(w: dict[str, Any]) -> None:
    notice = draft_notice(w, listings=0)
    services.notice_listings_add(notice=notice, actor=w["holder"], parsed=listing_rows.parse_text(listing_text(300)))
    with pytest.raises(ValidationError) as invalid:
        services.notice_listings_add(
            notice=notice, actor=w["holder"], parsed=listing_rows.parse_text(listing_text(1, start=301))
        )
    assert "每份通知最多 300 条链接" in invalid.value.message_dict["listings"][0]
    assert notice.listings.count() == 300
    fresh = draft_notice(w, listings=0)
    with pytest.raises(ValidationError):
        services.notice_listings_add(notice=fresh, actor=w["holder"], parsed=listing_rows.parse_text(listing_text(301)))
    assert fresh.listings.count() == 0


def test_a_non_url_and_a_duplicate_are_named_by_row_and_column(w: dict[str, Any]) -> None:
    notice = draft_notice(w, listings=2)
    text = "\n".join(
        [
            "链接,店铺,标题",  # a header row is skipped
            "https://item.example.com/9,店铺9,商品9",
            "item.example.com/10,店铺10,商品10",
            "https://ITEM.example.com/9/#reviews,店铺9,同一商品",
            "https://item.example.com/1,店铺1,已在通知中",
        ]
    )
    with pytest.raises(ValidationError) as invalid:
        services.notice_listings_add(notice=notice, actor=w["holder"], parsed=listing_rows.parse_text(text))
    messages = invalid.value.message_dict["listings"]
    assert messages == [
        "第 3 行「链接」：链接应以 http:// 或 https:// 开头（例如 https://item.example.com/123）。",
        "第 4 行「链接」：重复的链接：与第 2 行相同。",
        "第 5 行「链接」：重复的链接：通知中第 1 条已是该链接。",
    ]
    assert notice.listings.count() == 2  # nothing added


def test_csv_and_excel_imports(w: dict[str, Any]) -> None:
    import io

    from openpyxl import Workbook

    csv_rows = listing_rows.parse_upload(
        "listings.csv", "url,shop,title\r\nhttps://a.example.com/1,甲店,甲\r\n".encode("utf-8-sig")
    )
    assert [(r.row, r.url, r.shop) for r in csv_rows.rows] == [(2, "https://a.example.com/1", "甲店")]
    book = Workbook()
    sheet = book.active
    sheet.append(["商品链接", "店铺", "商品标题"])
    sheet.append(["https://b.example.com/2", "乙店", "乙"])
    sheet.append(["ftp://b.example.com/3", "乙店", "乙"])
    data = io.BytesIO()
    book.save(data)
    parsed = listing_rows.parse_upload("listings.xlsx", data.getvalue())
    assert [r.url for r in parsed.rows] == ["https://b.example.com/2"]
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "url")]
    with pytest.raises(ValidationError):
        listing_rows.parse_upload("listings.xlsx", b"not a workbook")


# --- the flow -------------------------------------------------------------------------------------------------


def test_send_notifies_every_listing_the_platform_and_its_webhook(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=3, now=cst(2026, 3, 2))
    assert notice.state == NoticeState.SENT and notice.number.startswith("EC-2026-")
    assert set(notice.listings.values_list("state", flat=True)) == {S.NOTIFIED}
    assert ListingStep.objects.filter(listing__notice=notice, action="notify").count() == 3
    assert OutboxMessage.objects.filter(recipient=w["platform_user"], kind="ecommerce.sent").exists()
    delivery = WebhookDelivery.objects.get(event="ecommerce.notice_sent")
    assert delivery.payload["notice_id"] == notice.pk and delivery.payload["listings"] == 3
    assert AuditEvent.objects.filter(action="ecommerce.notice_send", object_id=str(notice.pk)).exists()
    with pytest.raises(TransitionRefused):
        services.notice_listings_add(
            notice=notice, actor=w["holder"], parsed=listing_rows.parse_text(listing_text(1, 9))
        )


def test_the_whole_flow_across_the_2026_national_day(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=3, now=cst(2026, 9, 18))
    first, second, third = notice.listings.order_by("position")
    ls.listing_measures_record(listing=first, actor=w["platform_user"], measures=["delete", "block"])
    ls.listing_measures_record(listing=second, actor=w["platform_user"], measures=["terminate"])
    ls.listing_reject(listing=third, actor=w["platform_user"], reason="该商品已下架，无需处理。")
    # The counter-notice reaches the rights holder on Sunday 20 September 2026 (a make-up working day): 15 days
    # end on 5 October, inside the National Day holiday (1-7 October), so the wait ends on Thursday 8 October.
    first = ls.counter_notice_record(
        listing=first,
        actor=w["platform_user"],
        text="本店商品有合法来源，附进货凭证。",
        files=[pdf_upload("进货单.pdf")],
        now=cst(2026, 9, 20),
    )
    assert first.state == S.COUNTER_NOTICED and first.wait_due_at == end_of(dt.date(2026, 10, 8))
    assert OutboxMessage.objects.filter(recipient=w["holder"], kind="ecommerce.counter_notice").exists()
    second = ls.counter_notice_record(
        listing=second, actor=w["platform_user"], text="不侵权，附设计图。", files=[png_upload()], now=cst(2026, 9, 20)
    )
    # The platform may not end the measures before the wait is over.
    with pytest.raises(TransitionRefused) as early:
        ls.listing_restore(listing=first, actor=w["platform_user"], now=cst(2026, 10, 8, 12))
    assert "第四十三条" in early.value.reason
    # The rights holder sues on the first listing within the wait: the clock stops.
    ls.listing_complain(
        listing=first,
        actor=w["holder"],
        kind="lawsuit",
        body="上海知识产权法院",
        document=pdf_upload("立案通知书.pdf"),
        now=cst(2026, 10, 8, 20),
    )
    assert WebhookDelivery.objects.filter(event="ecommerce.complaint_filed").count() == 1
    # The sweep on 8 October changes nothing; on 9 October it restores the second listing only, once.
    assert sweep_counter_notice_waits(now=cst(2026, 10, 8, 23, 0))["ecommerce_restored"] == 0
    assert sweep_counter_notice_waits(now=cst(2026, 10, 9, 0, 5))["ecommerce_restored"] == 1
    assert sweep_counter_notice_waits(now=cst(2026, 10, 9, 0, 6))["ecommerce_restored"] == 0
    states = dict(notice.listings.values_list("position", "state"))
    assert states == {1: S.COMPLAINT_FILED, 2: S.RESTORED, 3: S.REJECTED}
    end = WebhookDelivery.objects.get(event="ecommerce.measures_end")
    assert end.payload["listing"]["position"] == 2
    # The platform confirms it ended the measures (posting the restoration of a restored listing).
    second = Listing.objects.get(pk=second.pk)
    ls.listing_restore(listing=second, actor=w["platform_user"])
    second.refresh_from_db()
    assert second.restoration_confirmed_at is not None
    with pytest.raises(TransitionRefused):
        ls.listing_confirm_restoration(listing=second, actor=w["platform_user"])


def test_a_complaint_after_the_wait_is_refused_naming_the_rule(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=1, now=cst(2026, 2, 2))
    listing = notice.listings.get()
    ls.listing_measures_record(listing=listing, actor=w["platform_user"], measures=["delete"])
    ls.counter_notice_record(
        listing=listing, actor=w["platform_user"], text="不侵权声明。", files=[pdf_upload()], now=cst(2026, 2, 5)
    )
    listing.refresh_from_db()
    # 5 February + 15 days = 20 February, inside the Spring Festival (15-23 February): due on Tuesday 24 February.
    assert listing.wait_due_at == end_of(dt.date(2026, 2, 24))
    with pytest.raises(TransitionRefused) as late:
        ls.listing_complain(
            listing=listing,
            actor=w["holder"],
            kind="complaint",
            body="某市市场监督管理局",
            document=pdf_upload(),
            now=cst(2026, 2, 25),
        )
    assert "第四十三条" in late.value.reason and "2026-02-24" in late.value.reason
    listing.refresh_from_db()
    assert listing.state == S.COUNTER_NOTICED and listing.complaint_kind == ""


def test_a_counter_notice_without_evidence_is_refused_and_nothing_changes(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=1)
    listing = notice.listings.get()
    ls.listing_measures_record(listing=listing, actor=w["platform_user"], measures=["block"])
    with pytest.raises(ValidationError) as invalid:
        ls.counter_notice_record(listing=listing, actor=w["platform_user"], text="本店不侵权。", files=[])
    assert "第四十三条" in invalid.value.message_dict["files"][0]
    listing.refresh_from_db()
    assert listing.state == S.MEASURES_TAKEN and listing.wait_due_at is None


def test_a_measure_on_another_platforms_listing_is_404(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=1)
    listing = notice.listings.get()
    for outsider in (w["other_platform_user"], w["court_user"]):
        with pytest.raises(TransitionRefused) as refused:
            ls.listing_measures_record(listing=listing, actor=outsider, measures=["delete"])
        assert refused.value.status == 404
    # The rights holder sees the listing but may not take measures on it: 403.
    with pytest.raises(TransitionRefused) as forbidden:
        ls.listing_measures_record(listing=listing, actor=w["holder"], measures=["delete"])
    assert forbidden.value.status == 403
    listing.refresh_from_db()
    assert listing.state == S.NOTIFIED and listing.measures == []


def test_the_table_every_action_from_every_state(w: dict[str, Any]) -> None:
    """Every action from every state: only the table's from-states pass the state check."""
    notice = sent_notice(w, listings=1)
    listing = notice.listings.select_related("notice__platform", "notice__centre").get()
    now = cst(2030, 1, 1)
    actors = {"platform": w["platform_user"], "holder": w["holder"]}
    for state in S.values:
        for t in TRANSITIONS:
            listing.state = state
            listing.wait_due_at = cst(2029, 1, 1)  # over, for restore; complaint is then late
            listing.restoration_confirmed_at = None
            actor = actors["holder"] if t.action in ("complain", "notify") else actors["platform"]
            try:
                check_listing_transition(listing, t.action, actor, now=now)
                passed = True
            except TransitionRefused as exc:
                passed = False
                assert exc.reason
            expected = state in t.from_states and t.action != "complain"  # complain: the wait is over
            assert passed == expected, (state, t.action)
    listing.state = S.NOTIFIED
    assert [t.action for t in allowed_listing_actions(listing, w["platform_user"])] == ["take_measures", "reject"]
    assert allowed_listing_actions(listing, w["other_platform_user"]) == []


# --- wrong notices and the fast lane --------------------------------------------------------------------------


def test_trusted_senders_get_the_fast_lane_until_a_wrong_notice(w: dict[str, Any]) -> None:
    for _i in range(TRUST_MIN_VALID_NOTICES):
        notice = sent_notice(w, listings=1)
        ls.listing_measures_record(listing=notice.listings.get(), actor=w["platform_user"], measures=["delete"])
        assert not notice.fast_lane
    assert sender_standing(w["holder"]).trusted
    fast = sent_notice(w, listings=1)
    assert fast.fast_lane
    services.wrong_notice_record(
        notice=fast, actor=w["platform_user"], basis="platform", explanation="权利人撤回，商品为正品。"
    )
    assert WrongNotice.objects.get().sender == w["holder"]
    standing = sender_standing(w["holder"])
    assert not standing.trusted and standing.wrong_notices == 1
    assert not sent_notice(w, listings=1).fast_lane
    # Only the centre's staff or the platform record a wrong notice.
    with pytest.raises(TransitionRefused) as refused:
        services.wrong_notice_record(notice=fast, actor=w["holder"], basis="admitted", explanation="我方通知有误。")
    assert refused.value.status == 403


def test_a_draft_is_not_seen_by_the_platform(w: dict[str, Any]) -> None:
    from weiyuan.ecommerce.selectors import notice_list, platform_inbox

    draft = draft_notice(w)
    assert list(platform_inbox(user=w["platform_user"])) == []
    assert [n.pk for n in notice_list(user=w["sh_intake"])] == [draft.pk]
    assert list(notice_list(user=w["sh_supervisor"])) == []
    make_platform(w["shanghai"])
    services.notice_send(notice=draft, actor=w["sh_handler"])
    assert [n.pk for n in platform_inbox(user=w["platform_user"])] == [draft.pk]
    assert list(platform_inbox(user=w["other_platform_user"])) == []


def test_a_port_out_of_range_and_an_oversized_field_are_row_errors_not_crashes(w: dict[str, Any]) -> None:
    notice = draft_notice(w, listings=1)
    with pytest.raises(ValidationError) as invalid:
        services.notice_listings_add(
            notice=notice,
            actor=w["holder"],
            parsed=listing_rows.parse_text("https://x.example.com:99999/a,店铺,商品"),
        )
    assert "不是有效的网址" in invalid.value.message_dict["listings"][0]
    with pytest.raises(ValidationError) as unreadable:
        listing_rows.parse_csv(('"' + "x" * 200_000 + '"\n').encode())
    assert "file" in unreadable.value.message_dict
    assert notice.listings.count() == 1


def test_notice_files_are_not_evidence_of_the_senders_case(w: dict[str, Any]) -> None:
    from weiyuan.evidence.models import EvidenceFile

    notice = draft_notice(w, listings=1)
    stored = EvidenceFile.objects_unscoped.filter(pk__in=notice.documents.values("evidence_id"))
    assert stored.count() == 2
    assert not stored.exclude(case=None).exists()  # seen through the notice's rule only


def test_the_sweep_pages_by_key_and_refuses_an_empty_batch(w: dict[str, Any]) -> None:
    from weiyuan.ecommerce.sweep import sweep_counter_notice_waits

    with pytest.raises(ValueError, match="batch"):
        sweep_counter_notice_waits(batch=0)
    # Nothing due: one page, no loop.
    assert sweep_counter_notice_waits(batch=1) == {"ecommerce_restored": 0}
    notice = sent_notice(w, listings=3, now=cst(2026, 9, 18))
    for listing in notice.listings.order_by("position"):
        ls.listing_measures_record(listing=listing, actor=w["platform_user"], measures=["delete"])
        ls.counter_notice_record(
            listing=listing,
            actor=w["platform_user"],
            text="不侵权，附设计图。",
            files=[png_upload()],
            now=cst(2026, 9, 20),
        )
    # Three due rows, pages of one: each restored once, and the loop ends.
    assert sweep_counter_notice_waits(now=cst(2026, 10, 9, 0, 5), batch=1)["ecommerce_restored"] == 3
    assert set(notice.listings.values_list("state", flat=True)) == {S.RESTORED}
