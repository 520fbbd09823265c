"""The knowledge base's pages: the public home and item pages, drafts seen only by the author centre, version
history, the staff list and review queue, writing and the workflow actions on the web, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ApplicantFactory
from tests.knowledge_support import (
    article,
    content,
    draft_item,
    ecommerce_law,
    editor_of,
    in_review_item,
    published_item,
    tag,
)
from weiyuan.knowledge import services
from weiyuan.knowledge.models import DraftState, ItemStatus, ItemType, KnowledgeItem

pytestmark = pytest.mark.django_db


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_home_lists_published_items_by_type_and_tag(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    guide = published_item(sh, handler, director, tags=[tag("trademark"), tag("ecommerce")])
    qa = published_item(sh, handler, director, item_type=ItemType.QA, title="商标被抢注怎么办", tags=[tag("trademark")])
    draft = draft_item(sh, handler, title="尚未发布的草稿指南")
    page = client_of().get("/kb/").content.decode()
    assert guide.published_version.title in page and "商标被抢注怎么办" in page  # type: ignore[union-attr]
    assert "尚未发布的草稿指南" not in page
    assert 'action="/kb/search/"' in page and 'name="q"' in page and "/kb/laws/" in page
    assert sh.name in page

    only_qa = client_of().get("/kb/", {"type": "qa"}).content.decode()
    assert "商标被抢注怎么办" in only_qa and guide.published_version.title not in only_qa  # type: ignore[union-attr]
    by_tag = client_of().get("/kb/", {"tag": "ecommerce"}).content.decode()
    assert guide.published_version.title in by_tag and "商标被抢注怎么办" not in by_tag  # type: ignore[union-attr]
    unknown = client_of().get("/kb/", {"tag": "no-such-tag", "type": "bogus"}).content.decode()
    assert "no-such-tag" in unknown and "商标被抢注怎么办" in unknown
    assert qa.pk and draft.pk


def test_the_home_and_staff_list_do_not_grow_queries_with_rows(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    law = ecommerce_law()

    def grow(n: int) -> None:
        for i in range(n):
            published_item(
                sh,
                handler,
                director,
                title=f"指南{i}",
                tags=[tag("trademark"), tag("damages")],
                articles=[article(law, 42)],
            )
            in_review_item(sh, handler, title=f"待审{i}")

    def count(client: Client, url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    urls = [
        (client_of(), "/kb/"),
        (client_of(), "/kb/?tag=trademark&type=guide"),
        (client_of(director), "/kb/manage/"),
        (client_of(director), "/kb/manage/?view=review"),
    ]
    grow(2)
    small = [count(c, u) for c, u in urls]
    grow(5)
    large = [count(c, u) for c, u in urls]
    assert small == large
    assert max(large) <= 14


def test_a_published_item_is_public_with_credit_tags_and_cited_articles(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    item = published_item(
        network["shanghai"],
        network["sh_handler"],
        network["sh_director"],
        articles=[article(law, 42)],
        tags=[tag("trademark"), tag("ecommerce_notice")],
    )
    page = client_of().get(f"/kb/items/{item.pk}/").content.decode()
    assert "电商平台知识产权侵权投诉指引" in page
    assert network["shanghai"].name in page
    assert "商标" in page and "电商平台投诉" in page
    assert "电子商务法 第四十二条" in page and "断开链接" in page
    assert (
        "/kb/laws/%E7%94%B5%E5%AD%90%E5%95%86%E5%8A%A1%E6%B3%95/%E7%AC%AC%E5%9B%9B%E5%8D%81%E4%BA%8C%E6%9D%A1/" in page
    )
    assert "提交审核" not in page and "撤回" not in page  # no staff actions for the public


@pytest.mark.parametrize("state", ["draft", "in_review", "withdrawn"])
def test_unpublished_items_are_seen_only_by_the_author_centre_and_supervisors(
    network: dict[str, Any], state: str
) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    if state == "draft":
        item = draft_item(sh, handler)
    elif state == "in_review":
        item = in_review_item(sh, handler)
    else:
        item = services.item_withdraw(
            item=published_item(sh, handler, director), actor=director, reason="法律修改，待更新"
        )
    urls = [f"/kb/items/{item.pk}/", f"/kb/items/{item.pk}/history/", f"/kb/items/{item.pk}/history/1/"]
    for who in ("sh_intake", "sh_handler", "sh_director", "sh_supervisor", "national_supervisor"):
        for url in urls:
            assert client_of(network[who]).get(url).status_code == 200, (who, url)
    for user in (
        None,
        ApplicantFactory(),
        network["zj_director"],
        network["zj_intake"],
        editor_of(network["zhejiang"]),
    ):
        for url in urls:
            assert client_of(user).get(url).status_code == 404, (user, url)
    page = client_of(network["sh_supervisor"]).get(f"/kb/items/{item.pk}/").content.decode()
    assert "本条目未公开" in page
    # Supervisors read only: no action buttons.
    assert f"/kb/items/{item.pk}/actions/" not in page and f"/kb/items/{item.pk}/edit/" not in page


def test_history_shows_approved_versions_to_the_public_and_every_version_to_staff(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    services.item_edit(item=item, actor=handler, content=content(title="修订中的标题", change_note="补充案例"))
    public = client_of().get(f"/kb/items/{item.pk}/history/").content.decode()
    assert "v1" in public and "修订中的标题" not in public
    assert client_of().get(f"/kb/items/{item.pk}/history/2/").status_code == 404
    staff_page = client_of(handler).get(f"/kb/items/{item.pk}/history/").content.decode()
    assert "修订中的标题" in staff_page and "补充案例" in staff_page
    version_page = client_of(handler).get(f"/kb/items/{item.pk}/history/2/").content.decode()
    assert "修订中的标题" in version_page and "这不是当前公开的版本" in version_page
    # The public item page still shows version 1; staff see a banner about the revision.
    assert "修订中的标题" not in client_of().get(f"/kb/items/{item.pk}/").content.decode()
    assert "有一份修订" in client_of(handler).get(f"/kb/items/{item.pk}/").content.decode()


def test_the_staff_list_and_the_review_queue(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    waiting = in_review_item(sh, handler, title="等待审核的问答", item_type=ItemType.QA)
    own = in_review_item(sh, director, title="负责人自己写的指南")
    draft_item(network["zhejiang"], network["zj_intake"], title="浙江的草稿")
    page = client_of(director).get("/kb/manage/").content.decode()
    assert "等待审核的问答" in page and "负责人自己写的指南" in page and "浙江的草稿" not in page
    queue = client_of(director).get("/kb/manage/", {"view": "review"}).content.decode()
    assert "等待审核的问答" in queue
    # The queue lists the centre's items in review; four eyes are checked when acting.
    assert "负责人自己写的指南" in queue
    assert client_of(director).post(f"/kb/items/{own.pk}/actions/approve/").status_code == 409
    handler_page = client_of(handler).get("/kb/manage/").content.decode()
    assert "待我审核" not in handler_page and "等待审核的问答" in handler_page
    supervisor_page = client_of(network["national_supervisor"]).get("/kb/manage/").content.decode()
    assert "浙江的草稿" in supervisor_page and "撰写新条目" not in supervisor_page
    assert client_of(ApplicantFactory()).get("/kb/manage/").status_code == 403
    assert waiting.pk


def test_writing_submitting_returning_and_approving_on_the_web(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    writer, reviewer = client_of(handler), client_of(director)
    assert "培训资料" in writer.get("/kb/manage/new/").content.decode()  # the type chooser
    form_page = writer.get("/kb/manage/new/", {"type": "qa"}).content.decode()
    assert 'name="question"' in form_page and 'name="body"' not in form_page
    response = writer.post(
        "/kb/manage/new/",
        {
            "item_type": "qa",
            "centre": sh.pk,
            "title": "平台不理会投诉怎么办",
            "question": "向电商平台投诉后，平台一直不删除侵权链接怎么办？",
            "answer": "平台接到通知后应当及时采取必要措施，未及时采取的对扩大部分承担连带责任。",
            "citations": "电子商务法 第四十二条",
            "ip_types": [tag("trademark").pk],
            "topics": [tag("ecommerce_notice").pk],
        },
    )
    item = KnowledgeItem.objects_unscoped.get()
    assert response.status_code == 302 and response["Location"] == f"/kb/items/{item.pk}/"
    assert item.draft_version is not None
    assert [a.pk for a in item.draft_version.cited_articles.all()] == [article(law, 42).pk]

    assert writer.post(f"/kb/items/{item.pk}/actions/submit/").status_code == 302
    # Return without a reason: the form says which field is missing; nothing changes.
    empty = reviewer.post(f"/kb/items/{item.pk}/actions/return/", {"reason": ""})
    assert empty.status_code == 200 and "退回理由" in empty.content.decode()
    item.refresh_from_db()
    assert item.draft_state == DraftState.IN_REVIEW
    assert (
        reviewer.post(f"/kb/items/{item.pk}/actions/return/", {"reason": "请说明连带责任的范围。"}).status_code == 302
    )
    assert "请说明连带责任的范围" in writer.get(f"/kb/items/{item.pk}/").content.decode()
    assert writer.post(f"/kb/items/{item.pk}/actions/submit/").status_code == 302
    # The author cannot approve; a handler cannot either (403 with the reason).
    assert writer.post(f"/kb/items/{item.pk}/actions/approve/").status_code == 403
    assert reviewer.post(f"/kb/items/{item.pk}/actions/approve/").status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert "平台不理会投诉怎么办" in client_of().get("/kb/").content.decode()
    # Unknown actions are 404; actions from a state that does not allow them are 409.
    assert reviewer.post(f"/kb/items/{item.pk}/actions/explode/").status_code == 404
    assert reviewer.post(f"/kb/items/{item.pk}/actions/approve/").status_code == 409


def test_editing_a_published_item_on_the_web_keeps_the_public_page(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    writer = client_of(handler)
    form = writer.get(f"/kb/items/{item.pk}/edit/").content.decode()
    assert "电商平台知识产权侵权投诉指引" in form and "在此之前公开的仍是当前版本" in form
    bad = writer.post(f"/kb/items/{item.pk}/edit/", {"title": "", "body": ""})
    assert bad.status_code == 200 and "标题" in bad.content.decode() and "error-summary" in bad.content.decode()
    ok = writer.post(f"/kb/items/{item.pk}/edit/", {"title": "指引（第二版）", "body": "新的正文。"})
    assert ok.status_code == 302
    public = client_of().get(f"/kb/items/{item.pk}/").content.decode()
    assert "电商平台知识产权侵权投诉指引" in public and "指引（第二版）" not in public
    item.refresh_from_db()
    assert item.draft_version is not None and item.draft_version.number == 2
    # Others may not edit: supervisors 403, other centres 403 (the item is public), the public is sent to log in.
    assert client_of(network["sh_supervisor"]).get(f"/kb/items/{item.pk}/edit/").status_code == 403
    assert client_of(network["zj_director"]).get(f"/kb/items/{item.pk}/edit/").status_code == 403
    assert client_of().get(f"/kb/items/{item.pk}/edit/").status_code == 302


def test_withdraw_and_republish_on_the_web(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    reviewer = client_of(director)
    assert "撤回理由" in reviewer.get(f"/kb/items/{item.pk}/actions/withdraw/").content.decode()
    assert reviewer.post(f"/kb/items/{item.pk}/actions/withdraw/", {"reason": "已过时"}).status_code == 302
    assert client_of().get(f"/kb/items/{item.pk}/").status_code == 404
    assert "重新发布" in reviewer.get(f"/kb/items/{item.pk}/").content.decode()
    assert reviewer.post(f"/kb/items/{item.pk}/actions/republish/").status_code == 302
    assert client_of().get(f"/kb/items/{item.pk}/").status_code == 200


def test_only_staff_may_write(network: dict[str, Any]) -> None:
    assert client_of(ApplicantFactory()).get("/kb/manage/new/").status_code == 403
    assert client_of(network["sh_supervisor"]).get("/kb/manage/new/?type=guide").status_code == 403
    assert client_of().get("/kb/manage/new/").status_code == 302
    editor = editor_of(network["zhejiang"])
    page = client_of(editor).get("/kb/manage/new/?type=case_study").content.decode()
    assert 'name="body"' in page and 'type="hidden" name="centre"' in page
