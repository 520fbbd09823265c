"""The review -> publish workflow of knowledge items: the declared table, four eyes, returns with a reason, revisions
of a published item that stays live, withdrawal, the search index and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import staff
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
from weiyuan.access.knowledge import KB_PERMISSIONS, KbPermission, KbRelation, item_relations
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.knowledge import services
from weiyuan.knowledge.models import DraftState, ItemOrigin, ItemStatus, ItemType, KnowledgeItem, VersionState
from weiyuan.knowledge.workflow import TRANSITIONS, TRANSITIONS_BY_ACTION, allowed_transitions, check_transition
from weiyuan.notifications.models import OutboxMessage
from weiyuan.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def entry_of(item: KnowledgeItem) -> SearchEntry | None:
    return SearchEntry.objects.filter(source=item.item_type, source_id=item.pk).first()


def audit_actions(item: KnowledgeItem) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="knowledge.knowledgeitem", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_handler_drafts_submits_and_the_director_publishes(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = draft_item(
        sh, handler, articles=[article(law, 42), article(law, 43)], tags=[tag("trademark"), tag("ecommerce_notice")]
    )
    assert (item.status, item.draft_state) == (ItemStatus.DRAFT, DraftState.DRAFT)
    assert not item.is_public and entry_of(item) is None

    item = services.item_submit(item=item, actor=handler)
    assert item.draft_state == DraftState.IN_REVIEW
    assert item.draft_version is not None and item.draft_version.state == VersionState.IN_REVIEW
    # The reviewers of the centre are told (in-app and e-mail); the author is not.
    recipients = set(
        OutboxMessage.objects.filter(dedupe_key__startswith=f"kb-item:{item.pk}:").values_list(
            "recipient_id", flat=True
        )
    )
    assert recipients == {director.pk}

    item = services.item_approve(item=item, actor=director)
    assert item.is_public and item.published_at is not None
    assert (item.status, item.draft_state, item.draft_version) == (ItemStatus.PUBLISHED, DraftState.NONE, None)
    version = item.published_version
    assert version is not None
    assert (version.state, version.reviewed_by, version.author) == (VersionState.APPROVED, director, handler)
    assert {t.code for t in item.tags.all()} == {"trademark", "ecommerce_notice"}

    entry = entry_of(item)
    assert entry is not None
    assert entry.title == "电商平台知识产权侵权投诉指引"
    assert entry.url == f"/kb/items/{item.pk}/"
    assert entry.ip_types.split() == ["trademark"] and entry.centre_id == sh.pk
    assert "电子商务法 第四十三条" in entry.body
    assert audit_actions(item) == ["knowledge.item_create", "knowledge.item_submit", "knowledge.item_approve"]


def test_four_eyes_the_author_of_a_version_cannot_approve_it(network: dict[str, Any]) -> None:
    sh, director = network["shanghai"], network["sh_director"]
    item = in_review_item(sh, director)
    with pytest.raises(TransitionRefused) as refused:
        services.item_approve(item=item, actor=director)
    assert refused.value.status == 409 and "四眼" in refused.value.reason
    assert "approve" not in {t.action for t in allowed_transitions(item, director)}
    # Another reviewer of the same centre (a knowledge-base editor) may.
    item = services.item_approve(item=item, actor=editor_of(sh))
    assert item.is_public


def test_only_directors_and_editors_of_the_author_centre_review(network: dict[str, Any]) -> None:
    item = in_review_item(network["shanghai"], network["sh_handler"])
    for user, status in (
        (network["sh_intake"], 403),  # staff of the centre, but not a reviewer
        (network["sh_supervisor"], 403),  # oversees, read-only
        (network["zj_director"], 403),  # director elsewhere: no standing at all
    ):
        with pytest.raises(TransitionRefused) as refused:
            services.item_approve(item=item, actor=user)
        assert refused.value.status == status
    other_centre_editor = editor_of(network["zhejiang"])
    with pytest.raises(TransitionRefused):
        services.item_return(item=item, actor=other_centre_editor, reason="不在本中心职责范围")
    item.refresh_from_db()
    assert item.draft_state == DraftState.IN_REVIEW


def test_staff_write_only_for_their_own_centre(network: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as refused:
        draft_item(network["zhejiang"], network["sh_handler"])
    assert refused.value.status == 403
    for outsider in (network["sh_supervisor"], network["national_supervisor"]):
        with pytest.raises(TransitionRefused):
            draft_item(network["shanghai"], outsider)
    assert KnowledgeItem.objects_unscoped.count() == 0


def test_a_return_needs_a_reason_and_the_author_revises_in_place(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = in_review_item(sh, handler)
    with pytest.raises(ValidationError) as invalid:
        services.item_return(item=item, actor=director, reason="   ")
    assert "reason" in invalid.value.message_dict
    item = services.item_return(item=item, actor=director, reason="第二部分请补充平台的公示义务。")
    draft = item.draft_version
    assert draft is not None and draft.state == VersionState.DRAFT and item.draft_state == DraftState.DRAFT
    assert draft.return_reason == "第二部分请补充平台的公示义务。"
    # The author's own returned draft is changed in place: still version 1.
    version = services.item_edit(item=item, actor=handler, content=content(body="补充：平台应当公示通知和声明。"))
    assert version.pk == draft.pk and version.number == 1 and item.versions.count() == 1
    item = services.item_submit(item=item, actor=handler)
    item = services.item_approve(item=item, actor=director)
    assert item.published_version == version
    assert "knowledge.item_return" in audit_actions(item)


def test_a_colleague_editing_a_draft_makes_a_new_version_with_its_own_author(network: dict[str, Any]) -> None:
    sh, handler, intake, director = (network[k] for k in ("shanghai", "sh_handler", "sh_intake", "sh_director"))
    item = draft_item(sh, handler)
    version = services.item_edit(item=item, actor=intake, content=content(title="电商平台投诉指引（修订）"))
    assert version.number == 2 and version.author == intake
    assert item.versions.get(number=1).state == VersionState.SUPERSEDED
    item = services.item_submit(item=item, actor=handler)
    # The handler submitted, but the intake officer wrote the text; the director is the reviewer either way.
    item = services.item_approve(item=item, actor=director)
    assert item.published_version == version


def test_editing_a_published_item_keeps_it_live_until_the_revision_is_approved(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director, tags=[tag("trademark")])
    v1 = item.published_version
    assert v1 is not None

    v2 = services.item_edit(
        item=item,
        actor=handler,
        content=content(title="电商平台侵权投诉指引（2026 年版）", tags=[tag("invention")], change_note="更新案例"),
    )
    item.refresh_from_db()
    assert v2.number == 2 and v2.state == VersionState.DRAFT
    assert item.is_public and item.published_version == v1 and item.draft_version == v2
    assert (item.status, item.draft_state) == (ItemStatus.PUBLISHED, DraftState.DRAFT)
    # Tags of the public item do not change before approval; the index still holds version 1.
    assert [t.code for t in item.tags.all()] == ["trademark"]
    entry = entry_of(item)
    assert entry is not None and entry.title == v1.title

    item = services.item_submit(item=item, actor=handler)
    assert item.is_public and item.published_version == v1
    item = services.item_approve(item=item, actor=director)
    assert item.published_version == v2
    v1.refresh_from_db()
    assert v1.state == VersionState.APPROVED  # kept in the history as it was
    assert [t.code for t in item.tags.all()] == ["invention"]
    entry = entry_of(item)
    assert entry is not None and entry.title == "电商平台侵权投诉指引（2026 年版）"
    assert entry.ip_types.split() == ["invention"]
    assert SearchEntry.objects.filter(source_id=item.pk, source=item.item_type).count() == 1


def test_a_revision_can_be_discarded_and_the_published_version_is_untouched(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    draft = services.item_edit(item=item, actor=handler, content=content(title="改错了的标题"))
    item = services.item_discard(item=item, actor=handler)
    draft.refresh_from_db()
    assert draft.state == VersionState.SUPERSEDED
    assert (item.draft_version, item.draft_state) == (None, DraftState.NONE)
    assert item.published_version is not None and item.published_version.title == "电商平台知识产权侵权投诉指引"
    # A never-published draft cannot be "discarded" (the table allows it only beside a published version).
    with pytest.raises(TransitionRefused):
        services.item_discard(item=draft_item(sh, handler), actor=handler)


def test_withdraw_removes_from_public_view_and_index_and_republish_restores(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    with pytest.raises(ValidationError) as invalid:
        services.item_withdraw(item=item, actor=director, reason="")
    assert "reason" in invalid.value.message_dict
    with pytest.raises(TransitionRefused) as refused:
        services.item_withdraw(item=item, actor=handler, reason="法律已修改")
    assert refused.value.status == 403
    item = services.item_withdraw(item=item, actor=director, reason="法律已修改，待更新。")
    assert item.status == ItemStatus.WITHDRAWN and not item.is_public
    assert entry_of(item) is None
    assert not KnowledgeItem.objects.published().filter(pk=item.pk).exists()
    item = services.item_republish(item=item, actor=editor_of(sh))
    assert item.is_public and entry_of(item) is not None
    assert audit_actions(item)[-2:] == ["knowledge.item_withdraw", "knowledge.item_republish"]


def test_approving_a_revision_of_a_withdrawn_item_publishes_it_again(network: dict[str, Any]) -> None:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    item = published_item(sh, handler, director)
    item = services.item_withdraw(item=item, actor=director, reason="法律已修改")
    services.item_edit(item=item, actor=handler, content=content(title="依新法更新的指引"))
    item = services.item_submit(item=item, actor=handler)
    item = services.item_approve(item=item, actor=director)
    assert item.is_public and item.published_version is not None and item.published_version.number == 2
    entry = entry_of(item)
    assert entry is not None and entry.title == "依新法更新的指引"


def _item_in(state: tuple[str, str], network: dict[str, Any]) -> KnowledgeItem:
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    status, draft_state = state
    if status == ItemStatus.DRAFT:
        item = draft_item(sh, handler)
    else:
        item = published_item(sh, handler, director)
        if status == ItemStatus.WITHDRAWN:
            item = services.item_withdraw(item=item, actor=director, reason="测试")
        if draft_state:
            services.item_edit(item=item, actor=handler, content=content(title="修订"))
            item.refresh_from_db()
    if draft_state == DraftState.IN_REVIEW:
        item = services.item_submit(item=item, actor=handler)
    return item


STATES = [
    (ItemStatus.DRAFT, DraftState.DRAFT),
    (ItemStatus.DRAFT, DraftState.IN_REVIEW),
    (ItemStatus.PUBLISHED, DraftState.NONE),
    (ItemStatus.PUBLISHED, DraftState.DRAFT),
    (ItemStatus.PUBLISHED, DraftState.IN_REVIEW),
    (ItemStatus.WITHDRAWN, DraftState.NONE),
    (ItemStatus.WITHDRAWN, DraftState.DRAFT),
]


@pytest.mark.parametrize("state", STATES, ids=lambda s: f"{s[0]}-{s[1] or 'none'}")
def test_the_table_walks_every_action_from_every_state(network: dict[str, Any], state: tuple[str, str]) -> None:
    """From each state, an action listed for it is allowed to someone holding its permission (who did not write
    the version); every other action is refused with a 409 and a reason naming the state."""
    item = _item_in(state, network)
    assert (item.status, item.draft_state) == state
    for transition in TRANSITIONS:
        # The director reviews (never the author here); the handler writes.
        relations = KB_PERMISSIONS[transition.permission]
        actor = network["sh_director"] if KbRelation.AUTHOR_STAFF not in relations else network["sh_handler"]
        listed = item.status in transition.statuses and item.draft_state in transition.draft_states
        if listed:
            assert check_transition(item, transition.action, actor) is transition
        else:
            with pytest.raises(TransitionRefused) as refused:
                check_transition(item, transition.action, actor)
            assert refused.value.status == 409 and refused.value.reason
    assert {t.action for t in allowed_transitions(item, network["sh_director"])} == {
        t.action for t in TRANSITIONS if item.status in t.statuses and item.draft_state in t.draft_states
    }


def test_an_unknown_action_is_a_bad_request(network: dict[str, Any]) -> None:
    item = draft_item(network["shanghai"], network["sh_handler"])
    with pytest.raises(TransitionRefused) as refused:
        check_transition(item, "publish_now", network["sh_director"])
    assert refused.value.status == 400


def test_the_permission_table() -> None:
    """Staff write and submit; directors and editors review; supervisors only read."""
    reviewer_only = {
        KbPermission.ITEM_APPROVE,
        KbPermission.ITEM_RETURN,
        KbPermission.ITEM_WITHDRAW,
        KbPermission.ITEM_REPUBLISH,
    }
    for permission, relations in KB_PERMISSIONS.items():
        if permission in reviewer_only:
            assert relations == {KbRelation.REVIEWER}, permission
        elif permission == KbPermission.ITEM_VIEW_UNPUBLISHED:
            assert KbRelation.SUPERVISOR in relations
        else:
            assert relations == {KbRelation.AUTHOR_STAFF}, permission
    assert set(KB_PERMISSIONS) == set(KbPermission)
    assert {t.permission for t in TRANSITIONS} <= set(KbPermission)
    assert TRANSITIONS_BY_ACTION["approve"].guards  # four eyes


def test_relations_follow_roles_and_the_tree(network: dict[str, Any]) -> None:
    item = draft_item(network["pudong"], staff(network["pudong"], Role.HANDLER))
    assert item_relations(network["sh_supervisor"], item) == {KbRelation.SUPERVISOR}  # pudong is under shanghai
    assert item_relations(network["national_supervisor"], item) == {KbRelation.SUPERVISOR}
    assert item_relations(network["sh_director"], item) == set()  # a director of the parent is not pudong's staff
    editor = editor_of(network["pudong"])
    assert item_relations(editor, item) == {KbRelation.AUTHOR_STAFF, KbRelation.REVIEWER}


def test_unscoped_item_querysets_refuse_to_run(network: dict[str, Any]) -> None:
    from weiyuan.access.scoping import UnscopedQueryError

    draft_item(network["shanghai"], network["sh_handler"])
    with pytest.raises(UnscopedQueryError):
        list(KnowledgeItem.objects.all())
    assert KnowledgeItem.objects.restrict(network["sh_intake"]).count() == 1
    assert KnowledgeItem.objects.restrict(network["zj_director"]).count() == 0
    assert KnowledgeItem.objects.published().count() == 0


# --- excellent Q&A from a consultation -------------------------------------------------------------------------


def test_qa_publish_from_consultation(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    sh = network["shanghai"]
    item = services.qa_publish_from_consultation(
        centre=sh,
        nominated_by=network["sh_handler"],
        approved_by=network["sh_director"],
        title="网店被投诉后如何提交不侵权声明",
        question="我的网店商品被平台下架了，说是侵犯了别人的商标，我该怎么办？",
        answer="可以依照电子商务法第四十三条向平台提交不存在侵权行为的声明，并附初步证据。",
        ip_types=["trademark"],
        topics=["ecommerce_notice"],
        cited_article_ids=[article(law, 43).pk],
    )
    assert item.is_public and item.item_type == ItemType.QA and item.origin == ItemOrigin.CONSULTATION
    version = item.published_version
    assert version is not None and version.state == VersionState.APPROVED
    assert (version.author, version.reviewed_by) == (network["sh_handler"], network["sh_director"])
    assert [a.number for a in version.cited_articles.all()] == [43]
    assert {t.code for t in item.tags.all()} == {"trademark", "ecommerce_notice"}
    entry = entry_of(item)
    assert entry is not None and "不侵权声明" in entry.title and entry.source == "qa"
    assert audit_actions(item) == ["knowledge.qa_publish_from_consultation"]


def test_qa_publish_from_consultation_bad_input(network: dict[str, Any]) -> None:
    sh = network["shanghai"]
    base: dict[str, Any] = {
        "centre": sh,
        "nominated_by": network["sh_handler"],
        "approved_by": network["sh_director"],
        "title": "标题",
        "question": "问题",
        "answer": "解答",
        "ip_types": ["trademark"],
        "topics": [],
        "cited_article_ids": [],
    }
    for overrides, field in (
        ({"ip_types": ["brand"]}, "ip_types"),
        ({"topics": ["no_such_topic"]}, "topics"),
        ({"cited_article_ids": [999999]}, "cited_article_ids"),
        ({"answer": ""}, "answer"),
    ):
        with pytest.raises(ValidationError) as invalid:
            services.qa_publish_from_consultation(**{**base, **overrides})
        assert field in invalid.value.message_dict, overrides
    with pytest.raises(TransitionRefused) as refused:
        services.qa_publish_from_consultation(**{**base, "approved_by": network["sh_intake"]})
    assert refused.value.status == 403
    with pytest.raises(TransitionRefused) as refused:
        services.qa_publish_from_consultation(**{**base, "nominated_by": network["sh_director"]})
    assert refused.value.status == 409
    assert KnowledgeItem.objects_unscoped.count() == 0


def test_content_is_checked_per_type(network: dict[str, Any]) -> None:
    sh, handler = network["shanghai"], network["sh_handler"]
    with pytest.raises(ValidationError) as invalid:
        draft_item(sh, handler, title="", body="")
    assert {"title", "body"} <= set(invalid.value.message_dict)
    with pytest.raises(ValidationError) as invalid:
        draft_item(sh, handler, item_type=ItemType.QA, question="", answer="")
    assert {"question", "answer"} <= set(invalid.value.message_dict)
    with pytest.raises(ValidationError) as invalid:
        services.item_create(actor=handler, centre=sh, item_type="news", content=content())
    assert "item_type" in invalid.value.message_dict
