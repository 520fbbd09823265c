"""Top-k hit rate of the search on a labelled question set: `kb_evaluate tests/data/kb_questions.json --k 5`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from weiyuan.search.evaluation import evaluate, load_questions


class Command(BaseCommand):
    help = "Measure the search on labelled questions (JSON: question, script, answers[{law, article}])."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--k", type=int, default=5, help="how many hits count (default 5)")
        parser.add_argument("--misses", action="store_true", help="list the questions that missed")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        questions = load_questions(path)
        if questions:
            evaluate(questions[:1], k=options["k"])  # loads the dictionaries, so the times are of searches alone
        result = evaluate(questions, k=options["k"])
        self.stdout.write(f"top-{result.k} hit rate: {result.hits}/{result.total} = {result.rate:.1%}")
        for script, (hits, total) in sorted(result.by_script.items()):
            self.stdout.write(f"  {script or 'unlabelled'}: {hits}/{total} = {result.script_rate(script):.1%}")
        self.stdout.write(
            f"search time: p50 {result.percentile(0.5):.1f} ms, p95 {result.percentile(0.95):.1f} ms on this index"
        )
        if options["misses"]:
            for miss in result.misses:
                self.stdout.write(f"- {miss.id} {miss.question}\n    expected {miss.expected}\n    got {miss.got}")
