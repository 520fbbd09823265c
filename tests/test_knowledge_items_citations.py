"""Citing articles from a knowledge item: the citation field, its error messages, links to the exact article
version, and how the text of an item is shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import law_from_text
from tests.knowledge_support import ECOMMERCE_TEXT, article, draft_item, ecommerce_law, published_item
from weiyuan.knowledge.formatting import render_text
from weiyuan.knowledge.selectors import articles_for_citations, citations_text, version_citations

pytestmark = pytest.mark.django_db


def numbers(text: str) -> list[int]:
    return [a.number for a in articles_for_citations(text)]


def test_citations_in_the_usual_ways_of_writing_them() -> None:
    ecommerce_law()
    assert numbers("电子商务法 第四十三条") == [43]
    assert numbers("电子商务法第四十三条") == [43]
    assert numbers("《中华人民共和国电子商务法》第42条、第四十三条") == [42, 43]
    assert numbers("电子商务法 第四十二条至第四十五条") == [42, 43, 44, 45]
    assert numbers("电子商务法 第四十二条\n\n电子商务法 第四十二条、第四十四条") == [42, 44]
    assert numbers("") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("电子商务发 第四十三条", ["第 1 行", "电子商务发", "简称"]),
        ("电子商务法 第九十条", ["电子商务法", "没有第九十条"]),
        ("电子商务法 第四十三条\n电子商务法 第四十三条 和第五条", ["第 2 行", "无法识别"]),
        ("电子商务法", ["请写明条文序号"]),
        ("电子商务法 第四十五条至第四十二条", ["颠倒"]),
        ("电子商务法 第四十二条至第五十条", ["没有第四十二条至第五十条"]),
    ],
)
def test_a_bad_citation_says_which_line_and_what_is_wrong(text: str, words: list[str]) -> None:
    ecommerce_law()
    with pytest.raises(ValidationError) as invalid:
        articles_for_citations(text)
    message = " ".join(invalid.value.messages)
    for word in words:
        assert word in message, (word, message)


def test_citations_text_round_trips() -> None:
    law = ecommerce_law()
    articles = [article(law, 42), article(law, 43)]
    assert citations_text(articles) == "电子商务法 第四十二条\n电子商务法 第四十三条"
    assert articles_for_citations(citations_text(articles)) == articles


def test_a_citation_keeps_pointing_at_the_text_it_cited(network: dict[str, Any]) -> None:
    """Article rows belong to one version of a law: after a new text is imported, the item still cites (and links
    to, with ?version=1) the article as it read when cited."""
    law = ecommerce_law()
    old_43 = article(law, 43)
    item = published_item(network["shanghai"], network["sh_handler"], network["sh_director"], articles=[old_43])
    law_from_text(ECOMMERCE_TEXT.replace("十五日", "二十日"), name="电子商务法(2030-01-01).md")
    law.refresh_from_db()
    assert law.current_version is not None and law.current_version.number == 2
    assert item.published_version is not None
    cited = version_citations(item.published_version)
    assert [c.article.pk for c in cited] == [old_43.pk]
    assert cited[0].url.endswith("?version=1") and not cited[0].is_current
    page = Client().get(f"/kb/items/{item.pk}/").content.decode()
    assert "十五日" in page and "二十日" not in page
    assert "?version=1" in page and "历史版本" in page


def test_the_text_links_mentions_of_cited_articles_and_escapes_everything_else() -> None:
    law = ecommerce_law()
    cited = []
    from weiyuan.knowledge.selectors import CitedArticle, article_url, citation

    for a in (article(law, 42), article(law, 43)):
        cited.append(CitedArticle(article=a, citation=citation(a), url=article_url(a), is_current=True))
    html = str(
        render_text(
            "## 通知\n\n依照《中华人民共和国电子商务法》第四十二条发出通知；"
            "电子商务法第四十五条未被引用。<script>alert(1)</script>\n\n- 第一步\n- 第二步\n\n1. 甲\n2. 乙",
            cited,
        )
    )
    assert "<h3>通知</h3>" in html
    assert '<a href="/kb/laws/%E7%94%B5' in html or '<a href="/kb/laws/电子商务法/第四十二条/">' in html
    assert "《中华人民共和国电子商务法》第四十二条</a>" in html
    assert "第四十五条未被引用" in html and "第四十五条</a>" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<ul><li>第一步</li><li>第二步</li></ul>" in html and "<ol><li>甲</li><li>乙</li></ol>" in html


def test_the_web_form_names_the_citation_field_when_a_law_does_not_exist(network: dict[str, Any]) -> None:
    ecommerce_law()
    client = Client()
    client.force_login(network["sh_handler"])
    response = client.post(
        "/kb/manage/new/",
        {
            "item_type": "guide",
            "centre": network["shanghai"].pk,
            "title": "投诉指引",
            "body": "正文",
            "citations": "电子商务法 第四十三条\n电商法 第四十三条",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "引用条文" in page and "第 2 行" in page and "电商法" in page
    assert 'href="#field-citations"' in page


def test_the_citation_preview_shows_the_articles_or_the_problem(network: dict[str, Any]) -> None:
    ecommerce_law()
    client = Client()
    client.force_login(network["sh_handler"])
    ok = client.get("/kb/manage/citations/", {"citations": "电子商务法 第四十二条、第四十三条"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "电子商务法 第四十三条" in ok.content.decode() and "不存在侵权行为的声明" in ok.content.decode()
    bad = client.get("/kb/manage/citations/", {"citations": "电子商务法 第一百条"})
    assert bad.status_code == 200 and "没有第一百条" in bad.content.decode()


def test_a_draft_cites_from_the_form_and_the_edit_form_shows_them_back(network: dict[str, Any]) -> None:
    law = ecommerce_law()
    item = draft_item(network["shanghai"], network["sh_handler"], articles=[article(law, 42), article(law, 43)])
    client = Client()
    client.force_login(network["sh_handler"])
    page = client.get(f"/kb/items/{item.pk}/edit/").content.decode()
    assert "电子商务法 第四十二条\n电子商务法 第四十三条" in page


def test_a_document_cited_whole_is_linked_where_the_text_names_it() -> None:
    from weiyuan.knowledge.selectors import CitedArticle, article_url, citation

    reply = law_from_text(
        "# 最高人民法院关于网络侵权问题的批复\n\n<!-- INFO END -->\n\n一、平台应当及时转送通知。\n",
        name="最高人民法院关于网络侵权问题的批复.md",
    )
    (whole,) = articles_for_citations("最高人民法院关于网络侵权问题的批复")
    assert whole.number == 0 and whole.version.law == reply
    cited = [CitedArticle(article=whole, citation=citation(whole), url=article_url(whole), is_current=True)]
    html = str(render_text("依照《最高人民法院关于网络侵权问题的批复》，平台应当转送。", cited))
    assert '">《最高人民法院关于网络侵权问题的批复》</a>' in html
