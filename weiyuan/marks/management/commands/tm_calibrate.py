"""Refit the combined mark score on the tuning part of the labelled pairs and report quality on both parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from weiyuan.marks.calibration import DEFAULT_PAIRS, calibrate, load_pairs, measure
from weiyuan.marks.score import WEIGHTS_FILE


class Command(BaseCommand):
    help = (
        "Fit the logistic weights of the mark score on the 'tuning' pairs of FILE (default tests/data/tm_pairs.json), "
        "print recall and precision at the threshold on 'tuning' and 'heldout', and with --write save the weights "
        "to weiyuan/marks/data/weights.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_PAIRS)
        parser.add_argument("--write", action="store_true", help="save the fitted weights")

    def handle(self, *args: Any, **opts: Any) -> None:
        pairs = load_pairs(opts["file"])
        model = calibrate(pairs)
        for split, q in measure(pairs, model).items():
            self.stdout.write(
                f"{split:8} {q.pairs:4} pairs  recall {q.recall:.3f}  precision {q.precision:.3f}  "
                f"(tp {q.true_positive}, fp {q.false_positive}, fn {q.false_negative})"
            )
        body = {"bias": model.bias, "coefficients": model.coefficients, "threshold": model.threshold}
        self.stdout.write(json.dumps(body))
        if opts["write"]:
            WEIGHTS_FILE.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"written to {WEIGHTS_FILE}")
