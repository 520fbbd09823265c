"""Access-matrix rows of the knowledge base's items (guides, Q&A, case studies, training materials).

The world gets, at the Shanghai centre, a published item, an item in review and a draft (all written by sh_handler),
and at the Zhejiang centre an item in review (written by zj_intake). Published items are public; unpublished ones
are seen by the author centre's staff and by supervisors above it (read-only), and are a 404 for everybody else.
The API serves published items only.
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    STAFF_SH,
    STAFF_ZJ,
    Route,
    case_rule,
    only,
    public,
    signed_in,
)
from weiyuan.knowledge import services
from weiyuan.knowledge.content import ItemContent

SEES_SH_DRAFT = {*STAFF_SH, "sh_supervisor", "national_supervisor"}
SEES_ZJ_DRAFT = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
KB_STAFF = {*STAFF_SH, *STAFF_ZJ, "sh_supervisor", "national_supervisor", "zj_supervisor"}


def _content(title: str) -> ItemContent:
    return ItemContent(title=title, body="正文：向平台发出通知时应当附初步证据。")


def _question(title: str) -> ItemContent:
    return ItemContent(title=title, question="商标被抢注怎么办？", answer="在公告期内提出异议。")


def extend_world(w: dict[str, Any]) -> None:
    sh, zj = w["shanghai"], w["zhejiang"]
    published = services.item_create(actor=w["sh_handler"], centre=sh, item_type="guide", content=_content("已发布"))
    published = services.item_submit(item=published, actor=w["sh_handler"])
    w["kb_published"] = services.item_approve(item=published, actor=w["sh_director"])
    review = services.item_create(actor=w["sh_handler"], centre=sh, item_type="qa", content=_question("待审核"))
    w["kb_in_review"] = services.item_submit(item=review, actor=w["sh_handler"])
    w["kb_draft"] = services.item_create(
        actor=w["sh_handler"], centre=sh, item_type="case_study", content=_content("草稿")
    )
    other = services.item_create(actor=w["zj_intake"], centre=zj, item_type="training", content=_content("浙江待审核"))
    w["kb_zj_in_review"] = services.item_submit(item=other, actor=w["zj_intake"])


def item(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def unpublished(sees: set[str], may: set[str] | None = None) -> Any:
    """A page open to anonymous visitors for published items: for an unpublished one, 404 (not a login redirect)
    for everybody who may not see it."""
    may = sees if may is None else may

    def expect(role: str) -> str:
        if role not in sees:
            return NOT_FOUND
        return OK if role in may else FORBIDDEN

    return expect


ROUTES: dict[str, Route] = {
    "knowledge:home": Route("GET", query="type=guide&tag=trademark", expect=public),
    "knowledge:item": Route("GET", kwargs=item("kb_in_review"), expect=unpublished(SEES_SH_DRAFT)),
    "knowledge:item_history": Route("GET", kwargs=item("kb_draft"), expect=unpublished(SEES_SH_DRAFT)),
    "knowledge:item_version": Route(
        "GET", kwargs=lambda w: {"pk": w["kb_in_review"].pk, "number": 1}, expect=unpublished(SEES_SH_DRAFT)
    ),
    # Staff of the centre edit; supervisors see but may not (403); everyone else does not see the draft (404).
    "knowledge:item_edit": Route("GET", kwargs=item("kb_draft"), expect=case_rule(SEES_SH_DRAFT, STAFF_SH)),
    # Approving sh_handler's text: the director only (four eyes keep sh_handler out even if they were a reviewer).
    "knowledge:item_action": Route(
        "POST",
        kwargs=lambda w: {"pk": w["kb_in_review"].pk, "action": "approve"},
        expect=case_rule(SEES_SH_DRAFT, {"sh_director"}),
    ),
    "knowledge:manage": Route("GET", expect=only(KB_STAFF)),
    "knowledge:item_create": Route("GET", query="type=guide", expect=only({*STAFF_SH, *STAFF_ZJ})),
    "knowledge:citation_check": Route(
        "GET",
        query="citations=%E7%A4%BA%E4%BE%8B%E6%B3%95+%E7%AC%AC%E4%BA%8C%E6%9D%A1",
        expect=only({*STAFF_SH, *STAFF_ZJ}),
    ),
    "api:kb_item_list": Route("GET", query="type=guide", expect=signed_in),
    "api:kb_item_detail": Route("GET", kwargs=lambda w: {"item_id": w["kb_published"].pk}, expect=signed_in),
    "api:kb_law_list": Route("GET", expect=signed_in),
    "api:kb_article": Route("GET", kwargs=lambda w: {"key": w["law"].key, "number_text": "第二条"}, expect=signed_in),
}

# The same routes on the Zhejiang centre's item in review: the sh_* roles get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "knowledge:item": Route("GET", kwargs=item("kb_zj_in_review"), expect=unpublished(SEES_ZJ_DRAFT)),
    "knowledge:item_edit": Route(
        "GET", kwargs=item("kb_zj_in_review"), expect=case_rule(SEES_ZJ_DRAFT, STAFF_ZJ)
    ),  # staff: 409 (in review) counts as served
    "knowledge:item_action": Route(
        "POST",
        kwargs=lambda w: {"pk": w["kb_zj_in_review"].pk, "action": "return"},
        data=lambda w: {"reason": ""},
        expect=case_rule(SEES_ZJ_DRAFT, {"zj_director"}),
    ),
    # The API never serves an unpublished item, not even to its author centre.
    "api:kb_item_detail": Route(
        "GET",
        kwargs=lambda w: {"item_id": w["kb_zj_in_review"].pk},
        expect=lambda role: LOGIN if role == "anonymous" else NOT_FOUND,
    ),
}
