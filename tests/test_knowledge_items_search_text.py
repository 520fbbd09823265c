"""Knowledge items are written in Markdown; the search index holds their words, so snippets and index words show
no "## ", "**", list marks or link addresses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.knowledge_support import editor_of, published_item
from weiyuan.knowledge.formatting import plain_text
from weiyuan.knowledge.item_indexing import published_item_entries
from weiyuan.knowledge.models import ItemType
from weiyuan.search.models import SearchEntry
from weiyuan.search.query import search

pytestmark = pytest.mark.django_db

MARKDOWN_ANSWER = """## 还在公告期内：提出异议

**初步审定公告**之日起三个月内，可以向商标局提出*异议*，见[商标法第三十三条](https://example.cn/tm/33)。

- 准备在先使用的证据
1. 提交异议申请书
> 注意：逾期不能再提出异议。
"""

MARKS = ("##", "**", "](", "https://", "\n- ", "\n1. ", "\n> ")


def test_plain_text_keeps_the_words_and_drops_the_marks() -> None:
    text = plain_text(MARKDOWN_ANSWER + "\n| 途径 | 期限 |\n|---|---|\n| 异议 | 三个月 |\n\n---\n### 小结 ###\n`代码`")
    assert text.startswith("还在公告期内：提出异议\n\n初步审定公告之日起三个月内")
    assert "提出异议，见商标法第三十三条。" in text
    assert "\n准备在先使用的证据\n提交异议申请书\n注意：逾期不能再提出异议。" in text
    assert "异议  三个月" in text and text.endswith("小结\n代码")
    assert not any(mark in text for mark in (*MARKS, "|", "---", "`", "###"))


def test_plain_text_leaves_ordinary_text_alone() -> None:
    text = "依照电子商务法第四十二条，赔偿数额为1.5倍；3 * 4 = 12；文件名 file_name；《商标法》第三十二条。"
    assert plain_text(text) == text


def test_a_searched_items_snippet_and_index_have_no_markdown(network: dict[str, Any]) -> None:
    sh = network["shanghai"]
    qa = published_item(
        sh,
        network["sh_handler"],
        editor_of(sh),
        item_type=ItemType.QA,
        title="商标被抢注了怎么办",
        summary="",
        question="**商标**被人抢注，还在公告期内，怎么办？",
        answer=MARKDOWN_ANSWER,
    )
    guide = published_item(
        sh,
        network["sh_handler"],
        network["sh_director"],
        title="异议程序指引",
        summary="",
        body="## 异议的期限\n\n- **三个月**：自初步审定公告之日起提出异议。",
    )
    rebuilt = {data.source_id: data for data in published_item_entries()}  # what kb_reindex writes
    for item in (qa, guide):
        entry = SearchEntry.objects.get(source=item.item_type, source_id=item.pk)
        assert not any(mark in entry.body for mark in MARKS), entry.body
        assert rebuilt[item.pk].body == entry.body
        words = rebuilt[item.pk].index_words()[2]
        assert "异议" in words.split() and not {"#", "##", "*", "**", "-", ">"} & set(words.split())

    hits = {hit.source_id: hit for hit in search("异议 公告").hits}
    assert {qa.pk, guide.pk} <= set(hits)
    for item in (qa, guide):
        snippet = str(hits[item.pk].snippet)
        assert "<mark>" in snippet
        assert "##" not in snippet and "**" not in snippet and "](" not in snippet, snippet
