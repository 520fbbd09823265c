"""Knowledge-base search on both backends: normalisation, segmentation, ranking, filters, bad input, index upkeep,
the command line, the page and the API. (Runs on SQLite and on PostgreSQL with the rest of the suite.)"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, law_from_text
from weiyuan.search import text, weights
from weiyuan.search.indexing import entry_remove, entry_upsert
from weiyuan.search.models import SearchEntry
from weiyuan.search.plan import article_number, plan
from weiyuan.search.query import MAX_QUERY_LENGTH, QueryError, highlight, related, search

TRADEMARK_LAW = """# 中华人民共和国商标示例法

2019年4月23日第十三届全国人民代表大会常务委员会第十次会议修正

<!-- INFO END -->

## 第一章 总则

第一条 为了加强商标管理，保护商标专用权，制定本法。

第二条 申请商标注册不得损害他人现有的在先权利，也不得以不正当手段抢先注册他人已经使用并有一定影响的商标。

## 第七章 注册商标专用权的保护

第三条 未经商标注册人的许可，在同一种商品上使用与其注册商标相同的商标的，属于侵犯注册商标专用权。

第四条 侵犯商标专用权的赔偿数额，按照权利人因被侵权所受到的实际损失确定。
"""

PATENT_LAW = """# 中华人民共和国专利示例法

2020年10月17日修正

<!-- INFO END -->

第一条 发明专利权被授予后，任何单位或者个人未经专利权人许可，都不得实施其专利。

第二条 未经专利权人许可，实施其专利，即侵犯其专利权，引起纠纷的，由当事人协商解决。

第三条 电子商务平台经营者知道平台内经营者侵犯知识产权的，应当采取删除、屏蔽、断开链接等必要措施。
"""


@pytest.fixture
def corpus(db: Any) -> dict[str, Any]:
    trademark = law_from_text(TRADEMARK_LAW, name="商标示例法(2019-04-23).md")
    patent = law_from_text(PATENT_LAW, name="专利示例法(2020-10-17).md")
    guide = entry_upsert(
        source="guide",
        source_id=1,
        title="電商平台侵權投訴指引",
        body="網店商品被投訴侵權時，平台內經營者可以提交不存在侵權行為的聲明。",
        url="/kb/items/1/",
        published_on=dt.date(2026, 3, 1),
        ip_types=["trademark"],
    )
    return {"trademark": trademark, "patent": patent, "guide": guide}


def titles(results: Any) -> list[str]:
    return [hit.title for hit in results.hits]


# --- text -----------------------------------------------------------------------------------------------------


def test_normalise_folds_width_case_and_traditional() -> None:
    assert text.normalise("ＡＢＣ１２３ 專利權　侵權") == "abc123 专利权 侵权"
    assert text.normalise("電子商務法第４３條") == "电子商务法第43条"


def test_two_character_terms_are_tokens() -> None:
    words = text.words(text.normalise("专利侵权和商标侵权"))
    assert {"专利", "商标", "侵权"} <= set(words)
    # Search mode keeps the whole word and its parts.
    assert {"知识产权", "知识", "产权"} <= set(text.words("保护知识产权"))


def test_article_numbers() -> None:
    assert [article_number(n) for n in ("四十三", "一百零二", "十", "43")] == [43, 102, 10, 43]


@pytest.mark.django_db
def test_plan_drops_stop_words_and_punctuation() -> None:
    assert plan("？？！！。。").groups == []
    assert plan("请问怎么办？").groups == []
    groups = plan("专利申请怎么办").groups
    # One word of the query; it also matches through its parts, since the text may split it differently.
    assert [g.word for g in groups] == ["专利申请"] and ("专利", "申请") in groups[0].alternatives


def test_parts_cover_a_word_without_overlap() -> None:
    assert text.parts("包装装潢") == ("包装", "装潢")  # not 装装, which no text holds
    assert text.parts("承担责任") == ("承担", "责任")
    assert text.parts("平台内") == ("平台", "内")
    assert text.parts("第一次") == ()  # 第一 一次 overlap: no cover
    assert text.parts("专利") == ()


@pytest.mark.django_db
def test_plan_reads_phrases_only_between_words() -> None:
    words = [g.word for g in plan("外观设计专利和实用新型专利有什么不同").groups]
    assert "设计专利" not in words and "新型专利" not in words  # Taiwan terms, not read inside the mainland ones
    group = next(g for g in plan("申请新型专利要多久").groups if g.word == "新型专利")
    assert ("实用新型",) in group.alternatives


@pytest.mark.django_db
def test_plan_drops_glued_function_words_and_keeps_known_lone_characters() -> None:
    words = [g.word for g in plan("能不能在起诉前就让他告我们").groups]
    assert not {"不能", "就让", "他告"} & set(words)  # function words glued together or guessed by jieba
    assert "告" in words  # a lone character the synonyms table gives a meaning (告 -> 起诉)
    sell = next(g for g in plan("卖假货").groups if g.word == "卖")
    assert ("销售",) in sell.alternatives


@pytest.mark.django_db
def test_plan_phrase_keeps_its_own_words_only_when_they_say_it() -> None:
    prior = next(g for g in plan("这是早就有的技术").groups if g.word == "早就有的技术")
    assert ("技术",) not in prior.alternatives and ("现有技术",) in prior.alternatives
    squatting = next(g for g in plan("商标被抢注").groups if g.word == "商标被抢注")
    assert ("商标", "抢注") in squatting.alternatives


@pytest.mark.django_db
def test_plan_splits_compounds_of_known_everyday_words() -> None:
    words = {g.word: g.alternatives for g in plan("盗版软件").groups}
    assert set(words) == {"盗版", "软件"} and ("计算机软件",) in words["软件"]


def test_question_words_map_to_how_the_texts_say_it() -> None:
    table = text.synonyms()
    assert "期限" in table["多久"] and "数额" in table["多少钱"] and "归属" in table["归谁"]


def test_rarer_words_weigh_more() -> None:
    assert weights.alternatives_weight([("举证责任",)]) > weights.alternatives_weight([("规定",)]) > 0
    # A word is as common as its commonest alternative: 起诉 -> 人民法院 makes the word common.
    assert weights.alternatives_weight([("起诉",), ("人民法院",)]) <= weights.alternatives_weight([("起诉",)])


def test_word_frequencies_file(tmp_path: Any) -> None:
    count, frequencies = weights.document_frequencies(["专利 侵权", "专利 商标", "商标"])
    assert count == 3 and frequencies["专利"] == 2 and frequencies["侵权"] == 1
    path = tmp_path / "df.txt"
    assert weights.write(path, ["专利 侵权", "专利 商标", "商标"]) == 2  # words in one document are left out
    assert "# documents\t3" in path.read_text(encoding="utf-8")


def test_kb_word_weights_command(corpus: dict[str, Any], tmp_path: Any) -> None:
    out = StringIO()
    call_command("kb_word_weights", "--output", str(tmp_path / "df.txt"), stdout=out)
    assert "Wrote" in out.getvalue()
    assert "专利\t" in (tmp_path / "df.txt").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_kb_word_weights_on_an_empty_index(tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="empty"):
        call_command("kb_word_weights", "--output", str(tmp_path / "df.txt"))


# --- search ---------------------------------------------------------------------------------------------------


def test_two_character_terms_are_found(corpus: dict[str, Any]) -> None:
    for word in ("专利", "商标", "侵权"):
        assert search(word).total > 0, word


def test_traditional_query_finds_simplified_text_and_back(corpus: dict[str, Any]) -> None:
    assert "商标示例法 第二条" in titles(search("搶先註冊"))
    # The guide was written in Traditional; a Simplified query finds it.
    assert "電商平台侵權投訴指引" in titles(search("网店 投诉"))


def test_full_width_and_case(corpus: dict[str, Any]) -> None:
    assert titles(search("ＰＬＡＴＦＯＲＭ 专利")) == titles(search("platform 专利"))
    entry_upsert(source="qa", source_id=7, title="WIPO 马德里体系", body="Madrid System 国际注册", url="/kb/items/7/")
    assert titles(search("madrid")) == ["WIPO 马德里体系"]
    assert titles(search("ＭＡＤＲＩＤ")) == ["WIPO 马德里体系"]


def test_title_matches_rank_first(corpus: dict[str, Any]) -> None:
    results = search("投诉 指引")
    assert results.hits[0].title == "電商平台侵權投訴指引"


def test_citation_finds_the_article(corpus: dict[str, Any]) -> None:
    for query in ("商标示例法第三条", "商標示例法 第3條", "商标示例法3条"):
        results = search(query)
        assert results.hits and results.hits[0].title == "商标示例法 第三条", query
        assert results.hits[0].article == "第三条"
        assert results.hits[0].law == "中华人民共和国商标示例法"


def test_article_number_boosts_within_words(corpus: dict[str, Any]) -> None:
    results = search("侵犯 第四条")
    assert results.hits[0].title == "商标示例法 第四条"


def test_all_words_first_then_any_word(corpus: dict[str, Any]) -> None:
    strict = search("商标")
    assert not strict.relaxed and strict.total >= 4
    few = search("专利权 许可")  # two articles hold both words: they come first, then those with one word
    assert few.relaxed and few.all_words_total == 2 and few.total > 2
    assert set(titles(few)[:2]) == {"专利示例法 第一条", "专利示例法 第二条"}
    loose = search("专利权 抢先注册 赔偿数额")
    assert loose.relaxed and loose.all_words_total == 0 and loose.total >= 3


def test_rare_words_rank_over_common_ones_when_not_all_match(corpus: dict[str, Any]) -> None:
    # No article holds all three words. Two hold the common 许可 and 实施; the one holding the rare 屏蔽 alone comes
    # first all the same: each word weighs its rarity in the laws (weights.py).
    results = search("许可 实施 屏蔽", types=["article"])
    assert results.relaxed and results.all_words_total == 0
    assert titles(results)[0] == "专利示例法 第三条"


def test_a_broadened_search_reads_the_entry_rows_once(corpus: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        results = search("专利权 许可")
    assert results.relaxed and results.hits
    row_reads = [q["sql"] for q in captured.captured_queries if '"search_searchentry"."body"' in q["sql"]]
    assert len(row_reads) == 1, row_reads


def test_snippet_marks_the_words(corpus: dict[str, Any]) -> None:
    hit = search("屏蔽").hits[0]
    assert "<mark>屏蔽</mark>" in hit.snippet
    assert highlight("<b>商标</b>", ["商标"], width=None) == "&lt;b&gt;<mark>商标</mark>&lt;/b&gt;"


def test_snippet_window_is_around_the_match() -> None:
    body = "甲" * 300 + "惩罚性赔偿" + "乙" * 300
    snippet = highlight(body, ["惩罚性赔偿"], width=60)
    assert "<mark>惩罚性赔偿</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 100


def test_filters(corpus: dict[str, Any]) -> None:
    assert {h.type for h in search("侵权", types=["guide"]).hits} == {"guide"}
    assert {h.law_key for h in search("许可", law_key="专利示例法").hits} == {"专利示例法"}
    assert titles(search("侵权", ip_type="trademark", types=["guide"])) == ["電商平台侵權投訴指引"]
    assert search("侵权", ip_type="copyright").total == 0
    assert titles(search("侵权", date_from=dt.date(2026, 1, 1))) == ["電商平台侵權投訴指引"]
    assert "電商平台侵權投訴指引" not in titles(search("侵权", date_to=dt.date(2025, 12, 31)))


def test_pagination(corpus: dict[str, Any]) -> None:
    everything = search("侵权", limit=100)
    first = search("侵权", limit=2, offset=0)
    second = search("侵权", limit=2, offset=2)
    assert titles(first) + titles(second) == titles(everything)[:4]
    assert first.total == second.total == everything.total


def test_bad_queries(corpus: dict[str, Any]) -> None:
    with pytest.raises(QueryError, match="请输入"):
        search("   ")
    with pytest.raises(QueryError, match="过长"):
        search("专" * (MAX_QUERY_LENGTH + 1))
    for query in ("？！。，、", "...", "请问怎么办呢", "!!!"):
        results = search(query)
        assert results.hits == [] and results.hint, query


def test_quotes_and_operators_in_queries_are_plain_text(corpus: dict[str, Any]) -> None:
    for query in ('"专利', "专利 OR", "NOT 商标", "商标*", "(侵权", "专利'; DROP TABLE x; --", "a:b 专利"):
        search(query)  # no error from the engine's query syntax


def test_related_suggests_for_a_long_passage(corpus: dict[str, Any]) -> None:
    question = "我在网店卖的商品被平台下架了，说是侵权投诉，我觉得没有侵权，可以提交什么材料让平台恢复？"
    results = related(question, limit=3)
    assert results.hits and len(results.hits) <= 3
    assert related("", limit=3).hits == []
    assert related("？", limit=3).hits == []


# --- index upkeep ---------------------------------------------------------------------------------------------


def test_upsert_replaces_and_remove_withdraws(corpus: dict[str, Any]) -> None:
    entry_upsert(source="qa", source_id=9, title="旧标题", body="展会 投诉 处理", url="/kb/items/9/")
    entry_upsert(source="qa", source_id=9, title="新标题", body="海关 备案 保护", url="/kb/items/9/")
    assert SearchEntry.objects.filter(source="qa", source_id=9).count() == 1
    assert search("展会", types=["qa"]).total == 0
    assert titles(search("海关 备案")) == ["新标题"]
    entry_remove(source="qa", source_id=9)
    assert search("海关 备案").total == 0


def test_law_names_follow_index_writes_without_reading_them_all_again(corpus: dict[str, Any]) -> None:
    assert plan("商标示例法 侵权").law_key == "商标示例法"  # reads and caches the names
    with CaptureQueriesContext(connection) as captured:
        entry_upsert(
            source="qa", source_id=21, title="新法问答", body="新示例法 侵权", url="/kb/items/21/", law_key="新示例法"
        )
        entry_upsert(source="qa", source_id=22, title="再问", body="侵权", url="/kb/items/22/", law_key="新示例法")
        assert plan("新示例法 侵权").law_key == "新示例法"
    assert not [q for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]
    entry_remove(source="qa", source_id=21)
    assert plan("新示例法 侵权").law_key == "新示例法"  # one entry of that law is left
    entry_remove(source="qa", source_id=22)
    assert plan("新示例法 侵权").law_key == ""


def test_a_new_law_version_replaces_its_articles_in_the_index(corpus: dict[str, Any]) -> None:
    amended = TRADEMARK_LAW.replace("2019年4月23日", "2026年1月1日").replace("第四条 侵犯", "第四条 故意侵犯")
    law_from_text(amended, name="商标示例法(2026-01-01).md")
    entries = SearchEntry.objects.filter(law_key="商标示例法")
    assert entries.count() == 4
    assert search("故意侵犯", law_key="商标示例法").hits[0].title == "商标示例法 第四条"


def test_kb_reindex_rebuilds(corpus: dict[str, Any]) -> None:
    with connection.cursor() as cursor:  # a damaged index
        table = "search_vector" if connection.vendor == "postgresql" else "search_fts"
        cursor.execute(f"DELETE FROM {table}")
    assert search("专利").total == 0
    out = StringIO()
    call_command("kb_reindex", "--no-progress", stdout=out)
    assert "Indexed 7 entries" in out.getvalue()  # the articles of both laws; the guide has no source app here
    assert search("专利").total > 0


def test_kb_search_command(corpus: dict[str, Any]) -> None:
    out = StringIO()
    call_command("kb_search", "商标示例法第三条", "--json", "--limit", "3", stdout=out)
    hits = json.loads(out.getvalue())
    assert hits[0]["type"] == "article" and hits[0]["article"] == "第三条"
    assert set(hits[0]) >= {"type", "title", "law", "article", "score", "snippet", "url"}
    out = StringIO()
    call_command("kb_search", "专利 侵权", stdout=out)
    assert "result(s)" in out.getvalue() and "专利示例法" in out.getvalue()
    with pytest.raises(CommandError, match="请输入"):
        call_command("kb_search", " ")
    with pytest.raises(CommandError, match="between 1 and 100"):
        call_command("kb_search", "专利", "--limit", "0")


# --- page and API ---------------------------------------------------------------------------------------------


def test_search_page(corpus: dict[str, Any], client: Client, django_assert_max_num_queries: Any) -> None:
    url = reverse("search:search")
    assert client.get(url).status_code == 200
    # Constant in the number of hits: session, law names, two searches (all words, then any word), entries.
    with django_assert_max_num_queries(9):
        response = client.get(url, {"q": "侵犯 专利权"})
    body = response.content.decode()
    assert "示例法 第二条" in body and "<mark>侵犯</mark>" in body
    partial = client.get(url, {"q": "侵权"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "hit" in partial.content.decode()


def test_search_page_bad_input(corpus: dict[str, Any], client: Client) -> None:
    url = reverse("search:search")
    body = client.get(url, {"q": "专" * 300}).content.decode()
    assert "过长" in body
    body = client.get(url, {"q": "？？？"}).content.decode()
    assert "没有可检索的词语" in body
    body = client.get(url, {"q": "专利", "date_from": "2026-13-01"}).content.decode()
    assert "YYYY-MM-DD" in body
    body = client.get(url, {"q": "专利", "date_from": "2026-02-01", "date_to": "2026-01-01"}).content.decode()
    assert "结束日期早于开始日期" in body
    body = client.get(url, {"q": "专利", "page": "abc"}).content.decode()
    assert "专利示例法" in body


def test_search_api(corpus: dict[str, Any], client: Client, django_assert_max_num_queries: Any) -> None:
    url = reverse("api:kb_search")
    assert client.get(url, {"q": "专利"}).status_code == 401
    client.force_login(UserFactory())
    with django_assert_max_num_queries(14):  # constant in the number of hits (see test_search_page)
        response = client.get(url, {"q": "電商平台 下架", "page_size": 5})
    data = response.json()
    assert response.status_code == 200 and data["page_size"] == 5
    assert {"query", "total", "relaxed", "fuzzy", "hint", "hits"} <= set(data)
    assert all({"type", "title", "law", "article", "score", "snippet", "url"} <= set(h) for h in data["hits"])
    filtered = client.get(url, {"q": "许可", "type": ["article"], "law": "专利示例法"}).json()
    assert {h["law_key"] for h in filtered["hits"]} == {"专利示例法"}
    bad = client.get(url, {"q": " "})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "q"
    assert client.get(url, {"q": "专利", "ip_type": "nonsense"}).json()["detail"][0]["field"] == "ip_type"
    assert client.get(url, {"q": "专利", "type": "nonsense"}).status_code == 422
    assert client.get(url, {"q": "专利", "page_size": 500}).status_code == 422
    assert client.get(url, {"q": "？？"}).json()["hint"]
