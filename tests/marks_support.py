"""A small register of marks for the index and screening tests: the originals of the labelled copycat pairs
(tests/data/tm_pairs.json) and some of the distinct marks, with the candidate index built."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from weiyuan.marks.keystore import replace_keys
from weiyuan.marks.models import Mark
from weiyuan.marks.normalise import normalise_mark

PAIRS = json.loads((Path(__file__).parent / "data" / "tm_pairs.json").read_text(encoding="utf-8"))["pairs"]
SIMILAR = [p for p in PAIRS if p["similar"]]
REGISTER_SIZE = 220


def register_texts() -> list[str]:
    texts = list(dict.fromkeys(p["a"] for p in SIMILAR))
    copies = {p["b"] for p in SIMILAR}
    for pair in PAIRS:
        if not pair["similar"]:
            texts.extend(t for t in (pair["a"], pair["b"]) if t not in copies)
    return list(dict.fromkeys(texts))[:REGISTER_SIZE]


def make_mark(text: str, number: str, classes: list[int] | None = None, **extra: Any) -> Mark:
    return Mark(
        text=text,
        normalised=normalise_mark(text).text,
        number=number,
        classes=classes or [30],
        owner=extra.pop("owner", f"权利人{number}"),
        **extra,
    )


def build_register(texts: list[str] | None = None) -> list[Mark]:
    """One mark per text, classes cycling over 30, 25, 9 and 3, indexed."""
    cycle = [[30], [25], [9, 35], [3]]
    marks = [make_mark(text, f"R{i:05d}", cycle[i % len(cycle)]) for i, text in enumerate(texts or register_texts())]
    Mark.objects.bulk_create(marks)
    saved = list(Mark.objects.order_by("pk"))
    replace_keys(saved)
    return saved
