"""Helpers for the knowledge-item tests: a small e-commerce law to cite, and items made through the services."""

from __future__ import annotations

from typing import Any

from tests.factories import law_from_text
from weiyuan.core.choices import Role
from weiyuan.knowledge import services
from weiyuan.knowledge.content import ItemContent
from weiyuan.knowledge.models import Article, ItemType, KnowledgeItem, Law, Tag

ECOMMERCE_TEXT = """# 中华人民共和国电子商务法

2018年8月31日第十三届全国人民代表大会常务委员会第五次会议通过

<!-- INFO END -->

## 第二章 电子商务经营者

第四十一条 电子商务平台经营者应当建立知识产权保护规则。

第四十二条 知识产权权利人认为其知识产权受到侵害的，有权通知平台经营者采取删除、屏蔽、断开链接等必要措施。

第四十三条 平台内经营者接到转送的通知后，可以向电子商务平台经营者提交不存在侵权行为的声明。

电子商务平台经营者在转送声明到达知识产权权利人后十五日内，未收到权利人已经投诉或者起诉通知的，应当及时终止所采取的措施。

第四十四条 电子商务平台经营者应当及时公示收到的本法第四十二条、第四十三条规定的通知、声明及处理结果。

第四十五条 电子商务平台经营者知道或者应当知道平台内经营者侵犯知识产权的，应当采取必要措施。
"""


def ecommerce_law() -> Law:
    law = Law.objects.filter(key="电子商务法").first()
    return law or law_from_text(ECOMMERCE_TEXT, name="电子商务法(2018-08-31).md")


def article(law: Law, number: int) -> Article:
    assert law.current_version is not None
    return law.current_version.articles.get(number=number)


def tag(code: str) -> Tag:
    return Tag.objects.get(code=code)


def content(**overrides: Any) -> ItemContent:
    data: dict[str, Any] = {
        "title": "电商平台知识产权侵权投诉指引",
        "summary": "向电商平台发出侵权通知、应对不侵权声明的步骤。",
        "body": "## 发出通知\n\n依照电子商务法第四十二条，通知应当包括构成侵权的初步证据。",
        "articles": [],
        "tags": [],
    }
    data.update(overrides)
    return ItemContent(**data)


def draft_item(centre: Any, author: Any, item_type: str = ItemType.GUIDE, **overrides: Any) -> KnowledgeItem:
    if item_type == ItemType.QA:
        overrides = {
            "body": "",
            "question": "商标被抢注怎么办？",
            "answer": "可以提出异议或者请求宣告无效。",
            **overrides,
        }
    return services.item_create(actor=author, centre=centre, item_type=item_type, content=content(**overrides))


def published_item(centre: Any, author: Any, reviewer: Any, **kwargs: Any) -> KnowledgeItem:
    item = draft_item(centre, author, **kwargs)
    item = services.item_submit(item=item, actor=author)
    return services.item_approve(item=item, actor=reviewer)


def in_review_item(centre: Any, author: Any, **kwargs: Any) -> KnowledgeItem:
    return services.item_submit(item=draft_item(centre, author, **kwargs), actor=author)


def editor_of(centre: Any) -> Any:
    from tests.factories import staff

    return staff(centre, Role.EDITOR)
