"""Compare two marks: `manage.py tm_compare "康师傅" "康帅傅" [--json] [--classes-a 30 --classes-b 30 ...]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.marks.normalise import MarkTextError
from weiyuan.marks.score import compare_marks, goods_closeness
from weiyuan.marks.selectors import group_names


class Command(BaseCommand):
    help = (
        "Score how similar two trademarks are (0-1), say whether that is at or above the documented threshold, "
        "and explain why in the active language (--language en for English). --json prints a machine-readable "
        "object with reason codes. Goods/services closeness is printed beside the score when classes or similar "
        "groups are given; it never changes the score."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("a", help="first mark text")
        parser.add_argument("b", help="second mark text")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--language", default="", help="language of the reasons: zh-hans (default) or en")
        parser.add_argument("--classes-a", type=int, nargs="*", default=[], help="Nice classes of the first mark")
        parser.add_argument("--classes-b", type=int, nargs="*", default=[], help="Nice classes of the second mark")
        parser.add_argument("--groups-a", nargs="*", default=[], help="similar groups of the first mark (e.g. 3002)")
        parser.add_argument("--groups-b", nargs="*", default=[], help="similar groups of the second mark")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.utils import translation

        with translation.override(opts["language"] or translation.get_language()):
            try:
                comparison = compare_marks(opts["a"], opts["b"])
            except MarkTextError as error:
                raise CommandError(str(error)) from error
            for name in ("classes_a", "classes_b"):
                bad = [n for n in opts[name] if not 1 <= n <= 45]
                if bad:
                    raise CommandError(f"--{name.replace('_', '-')}: unknown Nice class {bad[0]} (1-45)")
            goods = None
            if opts["classes_a"] or opts["classes_b"] or opts["groups_a"] or opts["groups_b"]:
                goods = goods_closeness(opts["classes_a"], opts["classes_b"], opts["groups_a"], opts["groups_b"])
                if goods.shared_groups:  # name them from the imported similar-group table (one query)
                    goods = goods_closeness(
                        opts["classes_a"],
                        opts["classes_b"],
                        opts["groups_a"],
                        opts["groups_b"],
                        names=group_names(goods.shared_groups),
                    )
            if opts["json"]:
                out = comparison.as_dict()
                if goods is not None:
                    out["goods"] = goods.as_dict()
                self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
                return
            out = {
                "score": comparison.score,
                "similar": comparison.similar,
                "reasons": [reason.text() for reason in comparison.reasons],
            }
            if goods is not None:
                out["goods"] = goods.as_dict()
            self.stdout.write(json.dumps(out, ensure_ascii=False))
