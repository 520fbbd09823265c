"""`make bench` for the knowledge-base search: a corpus of 1,000,000 entries (the real law articles plus guides, Q&A,
case studies and training materials composed from their sentences), the time to build the index, and p50/p95 of
searches through `weiyuan.search.query.search`, on whichever database DATABASE_URL names (SQLite or PostgreSQL).

Composed entries are written straight into the index tables (ids from BENCH_SOURCE_ID_BASE up, so they never collide
with real content). Their words are the real indexer's words: each sentence of the law texts is segmented once with
`text.index_text` and an entry's words are the words of its sentences, as segmenting the whole body would give.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from weiyuan.core import bench as core_bench
from weiyuan.search import query, text
from weiyuan.search.backends.base import COUNT_CAP
from weiyuan.search.backends.postgres import tsvector_literal
from weiyuan.search.indexing import index_optimize
from weiyuan.search.models import SearchEntry, SearchVector, Source

TARGET_P95_MS = 30.0
BENCH_SOURCE_ID_BASE = 10**15  # generated entries' source ids start here; real content never reaches it
BATCH = 20_000
SEED = 20261125

# The mix: two-character terms (the commonest words of the corpus), four-character terms, several words,
# Traditional Chinese. Everyday wording, as people type it.
QUERIES: dict[str, list[str]] = {
    "2-character term": ["专利", "商标", "侵权", "赔偿", "许可", "期限", "平台", "证据", "诉讼", "注册"],
    "4-character term": [
        "驰名商标",
        "商业秘密",
        "合理使用",
        "假冒专利",
        "强制许可",
        "恶意注册",
        "侵权责任",
        "外观设计",
        "集成电路",
        "地理标志",
    ],
    "several words": [
        "电子商务平台 通知 删除",
        "专利 侵权 赔偿 数额",
        "商标被人抢注了怎么办",
        "网店卖假货 平台 责任",
        "员工带走技术秘密",
        "软件著作权登记",
        "展会上发现侵权产品",
        "专利权 无效宣告 程序",
        "商标许可合同备案",
        "海关扣留侵权货物",
    ],
    "Traditional Chinese": [
        "專利 侵權",
        "商標註冊",
        "著作權 合理使用",
        "網路平台 侵權責任",
        "營業秘密 保護",
        "軟體著作權",
        "馳名商標 認定",
        "專利權期限",
        "損害賠償 計算",
        "展覽會 侵權 投訴",
    ],
}

TITLE_SUFFIXES: dict[str, list[str]] = {
    Source.GUIDE: ["办理指引", "实务指南", "操作要点", "风险提示"],
    Source.QA: ["怎么办", "如何认定", "有哪些规定", "常见问题"],
    Source.CASE_STUDY: ["纠纷案", "侵权案例评析", "维权案例", "典型案例"],
    Source.TRAINING: ["培训讲义", "专题课件", "实务培训", "业务培训"],
}
TYPE_WEIGHTS = [(Source.GUIDE, 3), (Source.QA, 4), (Source.CASE_STUDY, 2), (Source.TRAINING, 1)]
_SENTENCE_END = re.compile(r"(?<=[。；！？])")


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Sentence:
    text: str
    words: str


@dataclass
class LawPassages:
    law_key: str
    law_title: str
    law_words: str
    ip_types: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class BuildReport:
    skipped: bool
    entries: int = 0
    seconds: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def check_database(*, allow_any: bool) -> None:
    name = core_bench.database_name()
    if "bench" not in name and not allow_any:
        raise BenchError(
            f"refusing to generate into database {name!r}: its name should contain 'bench' "
            "(make bench uses weiyuan_bench and var/bench.sqlite3); pass --allow-any-database to override"
        )


def counts() -> dict[str, int]:
    return {
        "articles": SearchEntry.objects.filter(source=Source.ARTICLE).count(),
        "generated": SearchEntry.objects.filter(source_id__gte=BENCH_SOURCE_ID_BASE).count(),
        "entries": SearchEntry.objects.count(),
    }


def passages() -> list[LawPassages]:
    """The sentences of every indexed law article, segmented once, grouped by law."""
    by_law: dict[str, LawPassages] = {}
    articles = SearchEntry.objects.filter(source=Source.ARTICLE).order_by("law_key", "article_number", "pk")
    for law_key, law_title, ip_types, body in articles.values_list("law_key", "law_title", "ip_types", "body"):
        group = by_law.get(law_key)
        if group is None:
            group = by_law[law_key] = LawPassages(law_key, law_title, text.index_text(law_title), ip_types)
        for sentence in _SENTENCE_END.split(body):
            sentence = sentence.strip()
            if len(sentence) >= 8:
                group.sentences.append(Sentence(sentence, text.index_text(sentence)))
    return [group for group in by_law.values() if group.sentences]


def compose(count: int, laws: list[LawPassages], *, first_id: int) -> Iterator[dict[str, Any]]:
    """`count` entries: a law picked in proportion to its length, 2-6 sentences from one stretch of it as the body, a
    title made of two of their words and a suffix of the entry's type, a date in the last six years."""
    rng = random.Random(SEED)
    weights = [len(law.sentences) for law in laws]
    types, type_weights = zip(*TYPE_WEIGHTS, strict=True)
    suffix_words = {kind: [(s, text.index_text(s)) for s in suffixes] for kind, suffixes in TITLE_SUFFIXES.items()}
    today = dt.date.today()
    now = timezone.now()
    for k in range(count):
        law = rng.choices(laws, weights)[0]
        # Sentences from one neighbourhood of one law: an item is about one topic, as real guides are.
        start = rng.randrange(len(law.sentences))
        nearby = law.sentences[max(0, start - 20) : start + 20]
        chosen = rng.sample(nearby, min(len(nearby), rng.randint(2, 6)))
        kind = rng.choices(types, type_weights)[0]
        candidates = [w for s in chosen for w in s.words.split() if len(w) >= 2 and text.is_meaningful(w)]
        picked = rng.sample(candidates, 2) if len(candidates) >= 2 else candidates
        suffix, suffix_tokens = rng.choice(suffix_words[kind])
        title = "".join(picked) + suffix
        yield {
            "id": first_id + k,
            "source": str(kind),
            "source_id": BENCH_SOURCE_ID_BASE + k,
            "title": title,
            "title_normalised": title,  # made of normalised words already
            "body": "".join(s.text for s in chosen),
            "url": f"/kb/items/{BENCH_SOURCE_ID_BASE + k}/",
            "published_on": today - dt.timedelta(days=rng.randrange(6 * 365)),
            "law_key": "",
            "law_title": "",
            "article_number": None,
            "article_text": "",
            "ip_types": law.ip_types,
            "centre_id": None,
            "rank_weight": 1.0,
            "indexed_at": now,
            "words": (" ".join([*picked, suffix_tokens]), law.law_words, " ".join(s.words for s in chosen)),
        }


ENTRY_COLUMNS = [f.attname for f in SearchEntry._meta.concrete_fields]


def build(*, entries: int, log: Callable[[str], None], progress: Callable[[int], object]) -> BuildReport:
    """Add generated entries until the index holds `entries`; the real articles count towards it."""
    present = counts()
    if not present["articles"]:
        raise BenchError("no law articles in the index: run `manage.py kb_import_laws ../shared/data/laws` first")
    wanted = entries - present["entries"]
    if wanted <= 0:
        return BuildReport(skipped=True, entries=present["entries"])
    started = time.monotonic()
    laws = passages()
    phases = [("segment the law texts", time.monotonic() - started)]
    log(f"{sum(len(law.sentences) for law in laws):,} sentences of {len(laws)} laws; composing {wanted:,} entries")
    first_id = (SearchEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = compose(wanted, laws, first_id=first_id)
    loader = _load_postgres if connection.vendor == "postgresql" else _load_sqlite
    phases += loader(rows, progress)
    return BuildReport(False, entries=present["entries"] + wanted, seconds=time.monotonic() - started, phases=phases)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


POSTGRES_BULK_INDEXES = {
    # Rebuilt once after the load instead of being updated row by row (search/migrations/0002_backend_tables.py).
    "search_vector_gin": "CREATE INDEX search_vector_gin ON search_vector USING gin (vector)",
    "search_entry_title_trgm": (
        "CREATE INDEX search_entry_title_trgm ON search_searchentry USING gin (title_normalised gin_trgm_ops)"
    ),
}


def _load_postgres(rows: Iterator[dict[str, Any]], progress: Callable[[int], object]) -> list[tuple[str, float]]:
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for name in POSTGRES_BULK_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        for batch in _batches(rows):
            core_bench.copy_rows(cursor, SearchEntry, batch)
            core_bench.copy_rows(
                cursor, SearchVector, ({"entry_id": r["id"], "vector": tsvector_literal(*r["words"])} for r in batch)
            )
            progress(len(batch))
        # Check the deferred foreign keys now: an index cannot be built while their triggers are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        loaded = time.monotonic()
        for sql in POSTGRES_BULK_INDEXES.values():
            cursor.execute(sql)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('search_searchentry', 'id'),"
            " (SELECT max(id) FROM search_searchentry))"
        )
    indexed = time.monotonic()
    # VACUUM sets the visibility map (index-only and bitmap scans skip the heap); it cannot run inside a transaction,
    # where ANALYZE alone has to do (tests).
    refresh = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{refresh} search_vector")
        cursor.execute(f"{refresh} search_searchentry")
    return [
        ("compose and COPY entries and tsvectors", loaded - t0),
        ("build the GIN and trigram indexes", indexed - loaded),
        ("VACUUM ANALYZE", time.monotonic() - indexed),
    ]


def _load_sqlite(rows: Iterator[dict[str, Any]], progress: Callable[[int], object]) -> list[tuple[str, float]]:
    t0 = time.monotonic()
    columns = ", ".join(ENTRY_COLUMNS)
    entry_sql = f"INSERT INTO search_searchentry ({columns}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"  # noqa: S608
    words_sql = "INSERT INTO search_fts (rowid, title, keywords, body) VALUES (?, ?, ?, ?)"
    connection.ensure_connection()
    raw = connection.connection
    # No fsync per batch during the load (the pragma cannot change inside a transaction: tests).
    fast = not connection.in_atomic_block
    if fast:
        raw.execute("PRAGMA synchronous = OFF")
    with transaction.atomic():
        for batch in _batches(rows):
            raw.executemany(entry_sql, ([_sqlite_value(r[c]) for c in ENTRY_COLUMNS] for r in batch))
            raw.executemany(words_sql, ((r["id"], *r["words"]) for r in batch))
            progress(len(batch))
    loaded = time.monotonic()
    index_optimize()  # merges the FTS5 segments into one b-tree
    optimized = time.monotonic()
    raw.execute("ANALYZE")
    if fast:
        raw.execute("PRAGMA synchronous = FULL")
    return [
        ("compose and insert entries and FTS5 rows", loaded - t0),
        ("FTS5 optimize (merge segments)", optimized - loaded),
        ("ANALYZE", time.monotonic() - optimized),
    ]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def reset() -> None:
    """Remove the generated entries (the real ones stay)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DELETE FROM search_vector WHERE entry_id IN (SELECT id FROM search_searchentry WHERE source_id >= %s)",
                [BENCH_SOURCE_ID_BASE],
            )
        else:
            cursor.execute(
                "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_searchentry WHERE source_id >= %s)",
                [BENCH_SOURCE_ID_BASE],
            )
        cursor.execute("DELETE FROM search_searchentry WHERE source_id >= %s", [BENCH_SOURCE_ID_BASE])
    index_optimize()


# --- measurement ---------------------------------------------------------------------------------------------


@dataclass
class Category:
    measurement: core_bench.Measurement
    matches: list[int]


def measure(*, runs: int, warmup: int) -> list[Category]:
    """Each category's queries in turn, first page of 10 as the search page shows it (snippets included)."""
    categories = []
    for name, queries in QUERIES.items():
        totals: dict[str, int] = {}

        def run(k: int, queries: list[str] = queries, totals: dict[str, int] = totals) -> None:
            q = queries[k % len(queries)]
            results = query.search(q, limit=10)
            totals[q] = results.total

        measurement = core_bench.timed(name, run, runs=runs, warmup=warmup)
        categories.append(Category(measurement, [totals[q] for q in queries if q in totals]))
    everything = [s for c in categories for s in c.measurement.samples_ms]
    overall = core_bench.Measurement("all queries", everything, 0, "extra")
    overall.queries = max(c.measurement.queries for c in categories)
    categories.append(Category(overall, []))
    return categories


# --- reporting -----------------------------------------------------------------------------------------------

BEGIN = "<!-- kb-bench:{vendor}:begin (generated by manage.py kb_bench; edit outside these markers) -->"
END = "<!-- kb-bench:{vendor}:end -->"


def index_size() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('search_searchentry')),"
                " pg_size_pretty(pg_total_relation_size('search_vector'))"
            )
            entries, words = cursor.fetchone()
            return f"entries {entries}, tsvector table with its GIN index {words}"
        cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        return f"database file {int(cursor.fetchone()[0]) / 1024 / 1024 / 1024:.2f} GiB (entries and FTS5 index)"


def render(categories: list[Category]) -> str:
    table = core_bench.render_table([c.measurement for c in categories], target_ms=TARGET_P95_MS, label="search")
    lines = table.splitlines()
    lines[0] += " matches per query |"
    lines[1] += "---|"
    for i, category in enumerate(categories):
        matches = category.matches
        shown = f"{min(matches):,}–{max(matches):,}" if matches else ""
        lines[i + 2] += f" {shown} |"
    return "\n".join(lines)


def write_report(
    *, path: Path, command: str, report: BuildReport | None, categories: list[Category], runs: int, warmup: int
) -> None:
    vendor = connection.vendor
    info = core_bench.machine()
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    total = counts()
    parts = [
        BEGIN.format(vendor=vendor),
        "",
        f"Run {when} with `{command}`. {core_bench.machine_line(info)}",
        "",
        f"Corpus: {total['entries']:,} entries ({total['articles']:,} real law articles, "
        f"{total['generated']:,} composed); {index_size()}.",
        "",
    ]
    if report is not None and not report.skipped:
        phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases)
        parts += [f"Index build: {report.seconds:.0f} s ({phases}).", ""]
    elif report is not None:
        parts += ["Index build skipped: the database already held the corpus.", ""]
    parts += [
        f"{warmup} warm-up runs, then {runs} timed runs per row, cycling through its 10 queries; each run is "
        "`weiyuan.search.query.search(q, limit=10)`: plan, match, rank, count (capped at "
        f"{COUNT_CAP:,}), load the ten hits and cut their highlighted snippets.",
        "",
        render(categories),
        "",
        END.format(vendor=vendor),
    ]
    core_bench.splice_report(path, BEGIN.format(vendor=vendor), END.format(vendor=vendor), "\n".join(parts))
