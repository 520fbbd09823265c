"""Where the index comes from: each content app registers a feeder yielding `EntryData` for everything it has
published (laws register theirs in `weiyuan/knowledge/indexing.py`). `kb_reindex` walks them all."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from weiyuan.search.indexing import EntryData

Feeder = Callable[[], Iterator[EntryData]]
_FEEDERS: dict[str, Feeder] = {}
_COUNTERS: dict[str, Callable[[], int]] = {}


def register(name: str, feeder: Feeder, count: Callable[[], int]) -> None:
    _FEEDERS[name] = feeder
    _COUNTERS[name] = count


def expected_count() -> int:
    return sum(count() for count in _COUNTERS.values())


def all_items() -> Iterator[EntryData]:
    for feeder in _FEEDERS.values():
        yield from feeder()
