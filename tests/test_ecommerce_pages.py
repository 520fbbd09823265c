"""E-commerce pages: a rights holder drafts and sends a notice on the web, the platform handles it from its inbox,
bad input is refused naming row and rule, and the public notice of Art. 44 shows no personal data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.ecommerce_support import draft_notice, listing_text, platform_world, sent_notice
from tests.factories import pdf_upload, png_upload
from weiyuan.ecommerce import listing_services as ls
from weiyuan.ecommerce.models import ListingState, Notice, NoticeState

pytestmark = pytest.mark.django_db
S = ListingState


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return platform_world(network)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_rights_holder_drafts_and_sends_a_notice_on_the_web(w: dict[str, Any]) -> None:
    client = login(w["holder"])
    form = {
        "centre": w["shanghai"].pk,
        "platform": w["platform"].pk,
        "right_type": "trademark",
        "right_number": "12345678",
        "right_owner": "上海云杉服饰有限公司",
        "right_owner_kind": "organisation",
        "right_valid_from": "2020-01-01",
        "right_valid_until": "2030-12-31",
        "statement": "下列店铺销售使用与注册商标相同标识的服装，构成商标侵权。",
    }
    response = client.post("/ecommerce/notices/new/", form)
    assert response.status_code == 302
    notice = Notice.objects.get()
    page = text_of(client.get(f"/ecommerce/notices/{notice.pk}/"))
    assert "缺少权利证书" in page and "请至少列出一条" in page
    bad = client.post(
        f"/ecommerce/notices/{notice.pk}/listings/",
        {"text": "https://item.example.com/1\t店铺\t商品\nitem.example.com/2\t店铺\t商品"},
    )
    assert bad.status_code == 400 and "第 2 行「链接」" in text_of(bad)
    assert notice.listings.count() == 0
    assert client.post(f"/ecommerce/notices/{notice.pk}/listings/", {"text": listing_text(3)}).status_code == 302
    for kind, upload in (("certificate", pdf_upload()), ("evidence", png_upload())):
        response = client.post(f"/ecommerce/notices/{notice.pk}/documents/", {"kind": kind, "files": upload})
        assert response.status_code == 302
    assert "通知完整，可以发送" in text_of(client.get(f"/ecommerce/notices/{notice.pk}/"))
    assert client.post(f"/ecommerce/notices/{notice.pk}/send/").status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT


def test_the_platform_handles_a_notice_from_its_inbox(w: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    notice = sent_notice(w, listings=5)
    for _i in range(3):
        sent_notice(w, listings=2)
    client = login(w["platform_user"])
    assert client.get("/ecommerce/notices/").status_code == 302  # a platform's list is its inbox
    with django_assert_max_num_queries(20):
        inbox = client.get("/ecommerce/inbox/")
    assert inbox.status_code == 200 and notice.number in text_of(inbox)
    with django_assert_max_num_queries(30):
        page = client.get(f"/ecommerce/notices/{notice.pk}/")
    assert "对所选链接采取措施" in text_of(page)
    done = client.post(f"/ecommerce/notices/{notice.pk}/measures/", {"positions": ["1", "2"], "measures": ["delete"]})
    assert done.status_code == 302
    first = notice.listings.get(position=1)
    assert first.state == S.MEASURES_TAKEN and first.measures == ["delete"]
    # A counter-notice without evidence is refused naming the rule; nothing changes.
    refused = client.post(f"/ecommerce/listings/{first.pk}/counter_notice/", {"text": "本店不侵权。"})
    assert refused.status_code == 400 and "第四十三条" in text_of(refused)
    first.refresh_from_db()
    assert first.state == S.MEASURES_TAKEN
    ok = client.post(
        f"/ecommerce/listings/{first.pk}/counter_notice/", {"text": "本店不侵权。", "files": pdf_upload("凭证.pdf")}
    )
    assert ok.status_code == 302
    page = text_of(client.get(f"/ecommerce/listings/{first.pk}/"))
    assert "等待期至" in page and "凭证.pdf" in page
    # Another platform does not see the listing.
    assert login(w["other_platform_user"]).get(f"/ecommerce/listings/{first.pk}/").status_code == 404


def test_the_public_notice_shows_results_without_personal_data(w: dict[str, Any]) -> None:
    w["holder"].display_name = "张三丰"
    w["holder"].save()
    notice = sent_notice(w, listings=2, right_owner="李四光", right_owner_kind="person")
    first = notice.listings.get(position=1)
    first.shop = "王五的小店"
    first.save()
    ls.listing_measures_record(listing=first, actor=w["platform_user"], measures=["delete"])
    ls.counter_notice_record(
        listing=first, actor=w["platform_user"], text="赵六声明不侵权，电话13800000000。", files=[pdf_upload()]
    )
    anonymous = Client()
    listing_page = text_of(anonymous.get("/ecommerce/public/"))
    assert notice.number in listing_page
    page = text_of(anonymous.get(f"/ecommerce/public/{notice.pk}/"))
    assert "自然人（不公示姓名）" in page and "已收到" in page and "已收到声明" in page
    for personal in ("张三丰", "李四光", "王五", "赵六", "13800000000", w["holder"].email):
        assert personal not in page
    # Drafts are not public.
    draft = draft_notice(w)
    assert anonymous.get(f"/ecommerce/public/{draft.pk}/").status_code == 404


def test_listings_imported_from_a_file_on_the_page(w: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    notice = draft_notice(w, listings=0)
    client = login(w["sh_handler"])  # the helping centre's staff prepare it with the rights holder
    rows = "链接,店铺,商品标题\n" + "\n".join(f"https://shop.example.com/{i},店{i},商品{i}" for i in range(301))
    too_many = client.post(
        f"/ecommerce/notices/{notice.pk}/listings/",
        {"file": SimpleUploadedFile("links.csv", rows.encode("utf-8-sig"), content_type="text/csv")},
    )
    assert too_many.status_code == 400 and "每份通知最多 300 条链接" in text_of(too_many)
    assert notice.listings.count() == 0
    ok_rows = "\n".join(rows.splitlines()[:11])
    done = client.post(
        f"/ecommerce/notices/{notice.pk}/listings/",
        {"file": SimpleUploadedFile("links.csv", ok_rows.encode("utf-8-sig"), content_type="text/csv")},
    )
    assert done.status_code == 302 and notice.listings.count() == 10
    assert login(w["zj_director"]).get(f"/ecommerce/notices/{notice.pk}/").status_code == 404


def test_a_notice_is_linked_to_the_senders_own_case_only(w: dict[str, Any]) -> None:
    from tests.factories import make_case

    own = make_case(w["shanghai"], w["holder"])
    other = make_case(w["shanghai"])
    client = login(w["holder"])
    form = {
        "centre": w["shanghai"].pk,
        "platform": w["platform"].pk,
        "right_type": "trademark",
        "right_number": "12345678",
        "right_owner": "上海云杉服饰有限公司",
        "right_owner_kind": "organisation",
        "statement": "下列店铺销售使用与注册商标相同标识的服装，构成商标侵权。",
    }
    refused = client.post("/ecommerce/notices/new/", {**form, "case": other.tracking_number})
    assert refused.status_code == 400 and "找不到编号为" in text_of(refused)
    assert client.post("/ecommerce/notices/new/", {**form, "case": own.tracking_number}).status_code == 302
    assert Notice.objects.get().case == own
    assert client.get(f"/ecommerce/notices/{Notice.objects.get().pk}/edit/").status_code == 200
