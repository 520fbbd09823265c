"""Broad queries: as many matches as the count's cap, or (SQLite) a common word. The thresholds are made small here
so a few entries exercise the paths a million entries take (docs/search.md, "Ranking at scale")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from weiyuan.search.backends import postgres as pg_backend
from weiyuan.search.backends import sqlite as sqlite_backend
from weiyuan.search.indexing import EntryData, entries_write, index_optimize
from weiyuan.search.models import CommonWord, Source
from weiyuan.search.query import search

CAP, TIER = 6, 3


def _entry(n: int, *, title: str, body: str, source: str = Source.GUIDE) -> EntryData:
    return EntryData(
        source=source,
        source_id=n,
        title=title,
        body=body,
        url=f"/kb/items/{n}/",
        published_on=dt.date(2024, 1, 1) + dt.timedelta(days=n),
    )


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    from weiyuan.search import api, views

    for module in (sqlite_backend, pg_backend, views, api):
        monkeypatch.setattr(module, "COUNT_CAP", CAP)
    for module in (sqlite_backend, pg_backend):
        monkeypatch.setattr(module, "CANDIDATE_TIER", TIER)
        monkeypatch.setattr(module, "RECENT_WINDOW", 1000)


@pytest.fixture
def many_patent_entries(db: Any, small_thresholds: None) -> list[int]:
    """Twenty entries about patents, oldest first; #10 (in the middle) and #18 (recent) hold 专利 in the title."""
    items = []
    for n in range(1, 21):
        title = {10: "专利许可合同备案", 18: "专利许可第18讲"}.get(n, f"知识产权保护第{n}讲")
        body = "申请专利需要准备说明书。" if n % 2 else "专利侵权纠纷可以请求调解。"
        items.append(_entry(n, title=title, body=body))
    entries_write(items)
    index_optimize()
    return [item.source_id for item in items]


def test_a_broad_query_stops_counting_at_the_cap_and_ranks_the_oldest_and_newest_candidates(
    many_patent_entries: list[int],
) -> None:
    results = search("专利", limit=10)
    assert results.total == CAP
    ids = [hit.source_id for hit in results.hits]
    # Candidates: the first 3 in index order and the 3 newest (18-20); #18 holds the word in its title, so it leads.
    assert ids[0] == 18
    # On PostgreSQL the first three in storage order may include newest ones (a reused test database's pages
    # are not in insertion order), so the two tiers can overlap: 4 to 6 candidates, always with the newest three.
    assert 4 <= len(ids) <= 6 and {18, 19, 20} <= set(ids)
    if connection.vendor == "sqlite":
        # Index order is rowid order: the oldest. (PostgreSQL reads the table in storage order, which is the oldest
        # first only while rows are never updated.)
        assert set(ids) == {1, 2, 3, 18, 19, 20}
        assert 10 not in ids  # in the middle: not a candidate (a narrower query finds it, below)
    assert search("专利 备案", limit=10).hits[0].source_id == 10


def test_pages_stop_at_the_ranked_candidates(many_patent_entries: list[int]) -> None:
    ranked = len(search("专利", limit=10).hits)  # 6, or fewer where the two candidate tiers overlap (above)
    second = search("专利", limit=4, offset=4)
    assert second.hits and len(second.hits) == ranked - 4
    assert search("专利", limit=4, offset=8).hits == []


def test_filters_apply_to_the_candidates(db: Any, small_thresholds: None) -> None:
    entries_write(
        [_entry(n, title=f"指南{n}", body="专利申请的流程。") for n in range(1, 11)]
        + [_entry(n, title=f"问答{n}", body="专利申请要多久？", source=Source.QA) for n in range(11, 14)]
    )
    results = search("专利", types=[Source.QA])
    assert results.total == 3  # under the cap: every QA match, none of the ten guides
    assert {hit.type for hit in results.hits} == {Source.QA}


def test_the_search_page_says_only_the_best_are_listed(many_patent_entries: list[int]) -> None:
    response = Client().get(reverse("search:search"), {"q": "专利"})
    page = response.content.decode()
    assert "只列出最相关的 6 条" in page
    assert "共 6+ 条" in page


def test_the_api_says_the_count_is_capped(many_patent_entries: list[int]) -> None:
    client = Client()
    client.force_login(UserFactory())
    body = client.get(reverse("api:kb_search"), {"q": "专利"}).json()
    assert body["total"] == CAP
    assert body["total_is_capped"] is True
    assert len(body["hits"]) == 6


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_common_words_are_found_by_the_optimizer_and_ranked_from_the_entries(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "COMMON_DOCUMENTS", 4)
    entries_write(
        [_entry(n, title=f"保护第{n}讲", body="专利侵权怎么办。") for n in range(1, 8)]
        + [_entry(8, title="专利侵权的判定", body="判断是否落入专利权的保护范围。")]
    )
    index_optimize()
    common = dict(CommonWord.objects.values_list("token", "documents"))
    assert common["专利"] == 8
    assert "判定" not in common
    results = search("专利")  # 8 matches, under the cap: every match is ranked, from the entry rows
    assert results.total == 8
    assert results.hits[0].source_id == 8  # the word in the title counts most
    monkeypatch.setattr(sqlite_backend, "COMMON_DOCUMENTS", 100)
    index_optimize()
    assert not CommonWord.objects.exists()


def test_a_relaxed_broad_query_keeps_the_entries_holding_every_word_on_top(db: Any, small_thresholds: None) -> None:
    entries_write(
        [_entry(n, title=f"讲座{n}", body="商标注册的流程。") for n in range(1, 12)]
        + [_entry(12, title="讲座12", body="商标被抢注后可以提出异议。")]
    )
    results = search("商标 抢注 公告期")
    assert results.relaxed
    assert results.hits[0].source_id == 12
    assert connection.vendor in {"sqlite", "postgresql"}
