"""The knowledge base in the API: published items (never drafts), laws and articles with citations, bad input."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api_support import api_client
from tests.knowledge_support import article, draft_item, ecommerce_law, in_review_item, published_item, tag
from weiyuan.knowledge import services
from weiyuan.knowledge.models import ItemType

pytestmark = pytest.mark.django_db


def test_the_item_list_serves_published_items_filtered_by_type_and_tag(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    guide = published_item(sh, handler, director, tags=[tag("trademark"), tag("ecommerce_notice")])
    qa = published_item(sh, handler, director, item_type=ItemType.QA, title="展会上发现侵权产品怎么办")
    draft_item(sh, handler, title="草稿")
    in_review_item(sh, handler, title="待审核")
    api = api_client(network["zj_intake"])  # any caller: published items are for everybody

    body = api.get("/api/v1/kb/items").json()
    assert body["count"] == 2 and {i["id"] for i in body["items"]} == {guide.pk, qa.pk}
    first = next(i for i in body["items"] if i["id"] == guide.pk)
    assert first["type"] == "guide" and first["centre"] == {"code": "sh", "name": sh.name}
    assert {t["code"] for t in first["tags"]} == {"trademark", "ecommerce_notice"}
    assert first["url"] == f"/kb/items/{guide.pk}/" and first["featured_qa"] is False

    assert [i["id"] for i in api.get("/api/v1/kb/items?type=qa").json()["items"]] == [qa.pk]
    assert [i["id"] for i in api.get("/api/v1/kb/items?tag=ecommerce_notice").json()["items"]] == [guide.pk]
    paged = api.get("/api/v1/kb/items?page_size=1&page=2").json()
    assert paged["pages"] == 2 and len(paged["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("type=news", "type"), ("tag=no_such_tag", "tag"), ("page=0", "page"), ("page_size=101", "page_size")],
)
def test_bad_list_filters_are_422_naming_the_field(network: dict[str, Any], query: str, field: str) -> None:
    response = api_client(network["sh_intake"]).get(f"/api/v1/kb/items?{query}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_an_item_with_its_citations_and_never_a_draft(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(
        sh,
        handler,
        director,
        item_type=ItemType.QA,
        question="平台把我的商品下架了怎么办？",
        answer="可以依照电子商务法第四十三条提交不存在侵权行为的声明。",
        articles=[article(law, 43)],
    )
    api = api_client(network["zj_director"])
    body = api.get(f"/api/v1/kb/items/{item.pk}").json()
    assert body["question"] == "平台把我的商品下架了怎么办？" and body["version"] == 1
    (cited,) = body["citations"]
    assert cited["citation"] == "电子商务法 第四十三条" and cited["article_number"] == 43
    assert "十五日" in cited["text"] and cited["is_current_version"] is True
    assert cited["url"] == f"/kb/laws/{quote('电子商务法')}/{quote('第四十三条')}/"

    # The author centre's own draft is not served either: the API is for published content.
    draft = in_review_item(sh, handler)
    assert api_client(director).get(f"/api/v1/kb/items/{draft.pk}").status_code == 404
    withdrawn = services.item_withdraw(item=item, actor=director, reason="过时")
    assert api_client(director).get(f"/api/v1/kb/items/{withdrawn.pk}").status_code == 404
    assert api.get("/api/v1/kb/items/999999").status_code == 404


def test_laws_and_articles(network: dict[str, Any]) -> None:
    ecommerce_law()
    api = api_client(network["sh_handler"])
    laws = api.get("/api/v1/kb/laws").json()
    assert laws["count"] == 1
    assert laws["items"][0]["key"] == "电子商务法" and laws["items"][0]["kind"] == "law"
    assert api.get("/api/v1/kb/laws?kind=treaty").status_code == 422
    body = api.get(f"/api/v1/kb/laws/{quote('电子商务法')}/articles/{quote('第四十三条')}").json()
    assert body["citation"] == "电子商务法 第四十三条" and body["chapter"] == "第二章 电子商务经营者"
    assert body["url"].startswith("/kb/laws/") and "不存在侵权行为的声明" in body["text"]
    assert api.get(f"/api/v1/kb/laws/{quote('电子商务法')}/articles/{quote('第九十九条')}").status_code == 404
    assert api.get(f"/api/v1/kb/laws/{quote('电子商务法')}/articles/{quote('第四十三条')}?version=7").status_code == 404
    assert api.get(f"/api/v1/kb/laws/{quote('没有这部法')}/articles/{quote('第一条')}").status_code == 404


def test_the_api_needs_a_caller() -> None:
    for url in ("/api/v1/kb/items", "/api/v1/kb/laws"):
        assert Client().get(url).status_code == 401


def test_the_item_list_does_not_grow_queries_with_rows(
    network: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    api = api_client(network["sh_intake"])

    def count() -> int:
        api.get("/api/v1/kb/items")
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/kb/items").status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        published_item(sh, handler, director, title=f"指南{i}", tags=[tag("trademark"), tag("damages")])
    small = count()
    for i in range(6):
        published_item(sh, handler, director, title=f"更多指南{i}", tags=[tag("design")])
    assert count() == small
    # Token, the tag, count, page, tags of the page.
    with django_assert_max_num_queries(5):
        assert api.get("/api/v1/kb/items?tag=design").status_code == 200
