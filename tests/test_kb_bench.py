"""`make bench-kb` keeps working: the corpus builder writes index rows the search finds, on both engines, and the
report lands between its markers. (Tiny sizes; the figures themselves are never asserted.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.factories import law_from_text
from weiyuan.search import bench
from weiyuan.search.models import SearchEntry
from weiyuan.search.query import search

LAW = """# 中华人民共和国专利示例法

2020年10月17日修正

<!-- INFO END -->

## 第一章 总则

第一条 为了保护专利权人的合法权益，鼓励发明创造，推动发明创造的应用，制定本法。

第二条 未经专利权人许可，实施其专利，即侵犯其专利权，引起纠纷的，由当事人协商解决。

第三条 侵犯专利权的赔偿数额按照权利人因被侵权所受到的实际损失确定。

第四条 电子商务平台经营者知道平台内经营者侵犯知识产权的，应当采取删除、屏蔽、断开链接等必要措施。
"""


def test_the_corpus_builder_indexes_composed_entries_the_search_finds(db: Any, tmp_path: Path) -> None:
    law_from_text(LAW, name="专利示例法(2020-10-17).md")
    articles = bench.counts()["articles"]
    report = bench.build(entries=articles + 120, log=lambda line: None, progress=lambda n: None)
    assert not report.skipped and report.entries == articles + 120
    assert bench.counts()["generated"] == 120
    assert bench.build(entries=articles + 120, log=lambda line: None, progress=lambda n: None).skipped

    composed = SearchEntry.objects.filter(source_id__gte=bench.BENCH_SOURCE_ID_BASE).first()
    assert composed is not None and composed.title and "。" in composed.body
    hits = search("专利 侵权", limit=100).hits
    assert any(hit.source_id >= bench.BENCH_SOURCE_ID_BASE for hit in hits)
    assert search("專利", limit=5).hits  # Traditional finds the composed Simplified text

    categories = bench.measure(runs=1, warmup=0)
    assert [c.measurement.name for c in categories] == [*bench.QUERIES, "all queries"]
    output = tmp_path / "benchmarks.md"
    output.write_text("# Benchmarks\n", encoding="utf-8")
    bench.write_report(path=output, command="make bench-kb", report=report, categories=categories, runs=1, warmup=0)
    text = output.read_text(encoding="utf-8")
    assert f"kb-bench:{connection.vendor}:begin" in text and "| 2-character term |" in text
    assert "120 composed" in text

    bench.reset()
    assert bench.counts()["generated"] == 0


def test_the_builder_refuses_an_index_without_law_articles(db: Any) -> None:
    with pytest.raises(bench.BenchError, match="kb_import_laws"):
        bench.build(entries=10, log=lambda line: None, progress=lambda n: None)


def test_the_builder_refuses_a_database_not_named_for_benchmarks(db: Any) -> None:
    if "bench" in str(connection.settings_dict["NAME"]):
        pytest.skip("the test database is named for benchmarks")
    with pytest.raises(bench.BenchError, match="bench"):
        bench.check_database(allow_any=False)
    bench.check_database(allow_any=True)
