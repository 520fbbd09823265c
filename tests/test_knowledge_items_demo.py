"""The knowledge base's demo items: every text parses, every citation names an article of the shipped laws, the
items load through the services (published, in review, an excellent Q&A) and loading again changes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import CentreFactory, UserFactory
from weiyuan.accounts.models import Membership, User
from weiyuan.core.choices import Role
from weiyuan.core.demo_content import CENTRES
from weiyuan.knowledge.demo import DEMO_EDITOR_EMAIL, demo_items, kb_demo_seed
from weiyuan.knowledge.models import ItemOrigin, ItemStatus, ItemType, KnowledgeItem, Tag
from weiyuan.knowledge.services import laws_import
from weiyuan.search.models import SearchEntry

LAWS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "laws"


def test_every_demo_text_parses_with_known_tags_and_enough_substance() -> None:
    items = demo_items()
    assert len(items) >= 12
    assert {i.item_type for i in items} == {t.value for t in ItemType}
    for item in items:
        text = item.sections.get("body") or item.sections.get("answer", "")
        assert len(text) >= 600, item.name  # real content, not a placeholder
        assert item.sections.get("citations"), item.name
        if item.item_type == ItemType.QA:
            assert item.sections.get("question"), item.name


@pytest.mark.django_db
def test_demo_tags_exist() -> None:
    codes = set(Tag.objects.values_list("code", flat=True))
    for item in demo_items():
        assert set(item.tags) <= codes, (item.name, set(item.tags) - codes)


def _demo_centres_and_staff() -> None:
    """The part of the demo network the items need: their centres, with the demo staff accounts."""
    shorts = {spec.code: spec.short for spec in CENTRES}
    for code in {i.centre for i in demo_items()} | {"cnipa-guidance"}:
        centre = CentreFactory(code=code, name=f"{code} 中心")
        for local, role in (("director", Role.DIRECTOR), ("intake", Role.INTAKE_OFFICER), ("handler", Role.HANDLER)):
            user = UserFactory(email=f"{local}@{shorts[code]}.demo")
            Membership.objects.create(user=user, centre=centre, role=role)


@pytest.mark.django_db
@pytest.mark.skipif(not LAWS.is_dir(), reason="../shared/data/laws is not beside the project")
def test_the_demo_items_load_with_their_citations_and_only_once(settings: Any) -> None:
    assert kb_demo_seed(log=lambda line: None).skipped  # no demo network yet
    _demo_centres_and_staff()
    report = kb_demo_seed(log=lambda line: None)
    assert "laws" in report.skipped and report.editor_created
    laws_import(directory=LAWS)

    report = kb_demo_seed(log=lambda line: None)
    assert report.problems == [] and report.created == len(demo_items())
    items = list(KnowledgeItem.objects_unscoped.select_related("published_version", "draft_version"))
    published = [i for i in items if i.is_public]
    assert len(published) == len(items) - 1 >= 12
    in_review = next(i for i in items if not i.is_public)
    assert in_review.draft_version is not None and in_review.draft_state == "in_review"
    assert any(i.origin == ItemOrigin.CONSULTATION for i in published)
    assert SearchEntry.objects.filter(source__in=ItemType.values).count() == len(published)
    # The guide of the brief cites E-Commerce Law Art. 41-45 and 84, and the Supreme Court's reply on the internet.
    guide = next(i for i in published if i.published_version.title == "电商平台知识产权侵权投诉指引")  # type: ignore[union-attr]
    cited = [str(c.article) for c in guide.published_version.citations.order_by("position")]  # type: ignore[union-attr]
    assert cited[:5] == [f"电子商务法 第四十{n}条" for n in "一二三四五"] and "电子商务法 第八十四条" in cited
    # The editor approved some items (four eyes with the director writing).
    editor = User.objects.get(email=DEMO_EDITOR_EMAIL)
    assert Membership.objects.filter(user=editor, role=Role.EDITOR).exists()
    assert any(i.published_version.reviewed_by_id == editor.pk for i in published)  # type: ignore[union-attr]
    assert all(i.status == ItemStatus.PUBLISHED for i in published)

    again = kb_demo_seed(log=lambda line: None)
    assert (again.created, again.existing, again.editor_created) == (0, len(items), False)
    out = StringIO()
    call_command("kb_seed_demo", stdout=out, stderr=StringIO())
    assert "0 new" in out.getvalue()
    assert KnowledgeItem.objects_unscoped.count() == len(items)
