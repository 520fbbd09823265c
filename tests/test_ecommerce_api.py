"""The e-commerce API: the whole flow with a rights holder's token and a platform's scoped token, idempotent
writes, and the bad input of issue #6 (each refused naming the rule, nothing already recorded changes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

import pytest
from django.test import Client

from tests.ecommerce_support import platform_world, sent_notice
from tests.factories import pdf_upload, png_upload
from weiyuan.accounts.models import ApiToken
from weiyuan.ecommerce.models import Listing, ListingState, Notice
from weiyuan.ecommerce.sweep import sweep_counter_notice_waits
from weiyuan.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ecommerce"
S = ListingState


def client_of(user: Any, organisation: Any = None) -> Client:
    token = "wy_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(
        user=user,
        name="t",
        prefix=token[3:11],
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        organisation=organisation,
    )
    return Client(headers={"Authorization": f"Bearer {token}"})


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    world = platform_world(network)
    world["holder_api"] = client_of(world["holder"])
    world["platform_api"] = client_of(world["platform_user"], world["platform"])
    world["other_api"] = client_of(world["other_platform_user"], world["other_platform"])
    WebhookEndpoint.objects.create(
        organisation=world["platform"],
        url="https://hooks.example.com/weiyuan",
        secret="whsec_test",
        events=["ecommerce.notice_sent", "ecommerce.measures_end"],
    )
    return world


def body(w: dict[str, Any], listings: int = 3, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "centre_code": "sh",
        "platform_id": w["platform"].pk,
        "right": {
            "type": "trademark",
            "number": "12345678",
            "owner": "上海云杉服饰有限公司",
            "valid_from": "2020-01-01",
            "valid_until": "2030-12-31",
        },
        "statement": "下列店铺销售使用与第12345678号注册商标相同标识的服装，构成商标侵权。",
        "listings": [
            {"url": f"https://item.example.com/{i}", "shop": f"店铺{i}", "title": f"商品{i}"} for i in range(listings)
        ],
    }
    data.update(overrides)
    return data


def post(client: Client, path: str, data: Any = None, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    headers = key() if headers is None else headers
    if kw.get("multipart"):
        return client.post(BASE + path, data or {}, headers=headers)
    return client.post(BASE + path, data or {}, content_type="application/json", headers=headers)


def test_the_whole_flow_through_the_api_with_a_platform_token(w: dict[str, Any]) -> None:
    holder, platform = w["holder_api"], w["platform_api"]
    created = post(holder, "/notices", body(w))
    assert created.status_code == 201, created.content
    notice = created.json()
    assert notice["state"] == "draft" and len(notice["items"]) == 3
    assert {p["code"] for p in notice["problems"]} == {"certificate", "evidence"}
    nid = notice["id"]
    refused = post(holder, f"/notices/{nid}/send")
    assert refused.status_code == 409 and "缺少权利证书" in refused.json()["detail"]
    for kind, upload in (("certificate", pdf_upload("注册证.pdf")), ("evidence", png_upload("截图.png"))):
        added = post(holder, f"/notices/{nid}/documents", {"kind": kind, "files": upload}, multipart=True)
        assert added.status_code == 201, added.content
    sent = post(holder, f"/notices/{nid}/send")
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert WebhookDelivery.objects.filter(event="ecommerce.notice_sent", payload__notice_id=nid).count() == 1

    # The platform's inbox and the notice, with the files it may download.
    inbox = platform.get(f"{BASE}/notices")
    assert [n["id"] for n in inbox.json()["items"]] == [nid]
    detail = platform.get(f"{BASE}/notices/{nid}").json()
    assert detail["problems"] == [] and len(detail["documents"]) == 2
    first, second, third = (item["id"] for item in detail["items"])
    assert detail["items"][0]["allowed_actions"] == ["take_measures", "reject"]
    assert platform.get(detail["documents"][0]["download_url"]).status_code == 200

    # Measures: one listing alone, then two at once by position; a retry with the same key is replayed.
    headers = key()
    measured = post(platform, f"/listings/{first}/measures", {"measures": ["delete", "block"]}, headers=headers)
    assert measured.status_code == 200 and measured.json()["state"] == S.MEASURES_TAKEN
    again = post(platform, f"/listings/{first}/measures", {"measures": ["delete", "block"]}, headers=headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    many = post(platform, f"/notices/{nid}/measures", {"positions": [2, 3], "measures": ["disconnect"]})
    assert many.status_code == 200, many.content

    # The counter-notice reaches the rights holder: the clock runs for 15 days.
    counter = post(
        platform,
        f"/listings/{first}/counter-notice",
        {"text": "本店商品有合法来源，附进货凭证。", "files": pdf_upload("进货单.pdf")},
        multipart=True,
    )
    assert counter.status_code == 201, counter.content
    clock = platform.get(f"{BASE}/listings/{first}/clock").json()
    assert clock["rule"] == "ecommerce_counter_notice_wait" and clock["state"] == "running"
    post(
        platform, f"/listings/{second}/counter-notice", {"text": "不侵权声明。", "files": png_upload()}, multipart=True
    )
    # Too early to restore: refused naming Art. 43, nothing changes.
    early = post(platform, f"/listings/{second}/restoration")
    assert early.status_code == 409 and "第四十三条" in early.json()["detail"]
    # The rights holder sues on the first listing: the clock stops; the holder sees the stopped clock.
    complaint = post(
        holder,
        f"/listings/{first}/complaint",
        {"kind": "lawsuit", "body": "上海知识产权法院", "document": pdf_upload("立案通知书.pdf")},
        multipart=True,
    )
    assert complaint.status_code == 200, complaint.content
    assert holder.get(f"{BASE}/listings/{first}/clock").json()["state"] == "stopped"
    # Sixteen days later the sweep restores the second listing and owes the platform the webhook.
    due = Listing.objects.get(pk=second).wait_due_at
    assert sweep_counter_notice_waits(now=due + dt.timedelta(minutes=1))["ecommerce_restored"] == 1
    assert WebhookDelivery.objects.filter(event="ecommerce.measures_end", payload__listing__id=second).exists()
    confirmed = post(platform, f"/listings/{second}/restoration")
    assert confirmed.status_code == 200 and confirmed.json()["restoration_confirmed_at"]
    steps = platform.get(f"{BASE}/listings/{second}").json()["steps"]
    assert [st["action"] for st in steps] == [
        "notify",
        "take_measures",
        "counter_notice",
        "restore",
        "confirm_restoration",
    ]
    states = dict(Listing.objects.filter(notice_id=nid).values_list("pk", "state"))
    assert states == {first: S.COMPLAINT_FILED, second: S.RESTORED, third: S.MEASURES_TAKEN}


def test_bad_listings_are_refused_naming_row_and_rule(w: dict[str, Any]) -> None:
    holder = w["holder_api"]
    too_many = post(holder, "/notices", body(w, listings=301))
    assert too_many.status_code == 422
    assert any("最多 300 条链接" in e["message"] for e in too_many.json()["detail"])
    assert Notice.objects.count() == 0  # the whole request rolled back
    data = body(w, listings=2)
    data["listings"] += [
        {"url": "not a url"},
        {"url": "https://item.example.com/0/"},
    ]
    invalid = post(holder, "/notices", data)
    assert invalid.status_code == 422
    assert {(e["field"], e["message"][:6]) for e in invalid.json()["detail"]} == {
        ("listings.2.url", "链接中不能有"),
        ("listings.3.url", "重复的链接："),
    }
    assert Notice.objects.count() == 0


def test_measures_on_another_platforms_listing_and_without_evidence(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=2)
    first, second = notice.listings.order_by("position")
    other = post(w["other_api"], f"/listings/{first.pk}/measures", {"measures": ["delete"]})
    assert other.status_code == 404 and "发给本平台的通知" in other.json()["detail"]
    assert (
        post(w["other_api"], f"/notices/{notice.pk}/measures", {"positions": [1], "measures": ["delete"]}).status_code
        == 404
    )
    # The rights holder sees the listing but may not take measures: 403.
    assert post(w["holder_api"], f"/listings/{first.pk}/measures", {"measures": ["delete"]}).status_code == 403
    post(w["platform_api"], f"/listings/{first.pk}/measures", {"measures": ["delete"]})
    no_evidence = post(
        w["platform_api"], f"/listings/{first.pk}/counter-notice", {"text": "我方不侵权。"}, multipart=True
    )
    assert no_evidence.status_code == 422
    assert (
        no_evidence.json()["detail"][0]["field"] == "files"
        and "第四十三条" in no_evidence.json()["detail"][0]["message"]
    )
    unknown = post(w["platform_api"], f"/listings/{second.pk}/measures", {"measures": ["burn"]})
    assert unknown.status_code == 422
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.measures, first.wait_due_at) == (S.MEASURES_TAKEN, ["delete"], None)
    assert (second.state, second.measures) == (S.NOTIFIED, [])


def test_writes_need_an_idempotency_key_after_access(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=1)
    listing = notice.listings.get()
    path = f"/listings/{listing.pk}/measures"
    assert post(w["other_api"], path, {"measures": ["delete"]}, headers={}).status_code == 404
    missing = post(w["platform_api"], path, {"measures": ["delete"]}, headers={})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "Idempotency-Key"
    # Staff and platforms may not file notices: 403 before the key is looked at.
    assert post(client_of(w["sh_handler"]), "/notices", body(w), headers={}).status_code == 403


def test_a_platform_inbox_is_a_constant_number_of_queries(
    w: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _i in range(6):
        sent_notice(w, listings=3)
    client = w["platform_api"]
    with django_assert_max_num_queries(12):
        response = client.get(f"{BASE}/notices?page_size=50")
    assert response.json()["count"] == 6
    assert all(item["listings"] == 3 for item in response.json()["items"])


def test_a_notice_with_300_listings_is_read_in_a_constant_number_of_queries(w: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = sent_notice(w, listings=2)
    large = sent_notice(w, listings=300)
    client = w["platform_api"]
    client.get(f"{BASE}/notices")  # the token's first use is recorded once
    counts = []
    for notice in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/notices/{notice.pk}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["items"]) == 300
    assert counts[0] == counts[1], counts


def test_the_open_filter_keeps_whole_counts(w: dict[str, Any]) -> None:
    handled = sent_notice(w, listings=2)
    for listing in handled.listings.all():
        post(w["platform_api"], f"/listings/{listing.pk}/measures", {"measures": ["block"]})
    partly = sent_notice(w, listings=3)
    post(w["platform_api"], f"/listings/{partly.listings.get(position=1).pk}/measures", {"measures": ["block"]})
    items = w["platform_api"].get(f"{BASE}/notices?open=1").json()["items"]
    assert [(i["id"], i["listings"]) for i in items] == [(partly.pk, 3)]


def test_a_bad_notice_names_the_fields_as_the_request_spells_them(w: dict[str, Any]) -> None:
    data = body(w, listings=1, centre_code="nowhere", platform_id=w["court_user"].pk + 10_000)
    data["right"]["number"] = ""
    data["right"]["valid_until"] = "2019-01-01"
    fields = {e["field"] for e in post(w["holder_api"], "/notices", data).json()["detail"]}
    assert fields == {"centre_code", "platform_id", "right.number", "right.valid_until"}
    assert Notice.objects.count() == 0
