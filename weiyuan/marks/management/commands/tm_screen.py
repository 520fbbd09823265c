"""Screen a mark against the register: `manage.py tm_screen "康帅傅" [--class 30 ...] [--limit 10] [--json]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.marks.screening import DEFAULT_LIMIT, ScreenInputError, screen_mark

OPTION_NAMES = {"mark": "MARK", "class": "--class", "limit": "--limit"}


class Command(BaseCommand):
    help = (
        "List the marks on the register that look or sound like MARK, best first, with score (0-1), similar flag, "
        "number, classes, owner, status and reasons (in the active language; --language en for English). "
        "--class restricts to marks in those Nice classes and adds goods closeness beside the score. "
        "Candidates come from the index built by tm_reindex / tm_import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mark", help="the mark text to screen")
        parser.add_argument("--class", dest="classes", action="append", default=[], help="Nice class (repeatable)")
        parser.add_argument("--limit", default=DEFAULT_LIMIT, help=f"hits to show (default {DEFAULT_LIMIT})")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--language", default="", help="language of the reasons: zh-hans (default) or en")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.utils import translation

        with translation.override(opts["language"] or translation.get_language()):
            try:
                result = screen_mark(opts["mark"], classes=opts["classes"], limit=opts["limit"])
            except ScreenInputError as error:
                raise CommandError(f"{OPTION_NAMES.get(error.field, error.field)}: {error.message}") from error
            if opts["json"]:
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
                return
            self.stdout.write(
                f"{result.query.original} -> {result.query.text}: {len(result.hits)} hits "
                f"({result.candidates} candidates)"
            )
            for rank, hit in enumerate(result.hits, start=1):
                data = hit.as_dict()
                flag = "*" if hit.similar else " "
                classes = ",".join(str(n) for n in hit.mark.classes)
                line = (
                    f"{rank:>3} {hit.score:.3f}{flag} {hit.mark.text}  {hit.mark.number}  [{classes}]  "
                    f"{data['status_label']}  {hit.mark.owner}"
                )
                if hit.goods is not None:
                    shared = ",".join(str(n) for n in hit.goods.shared_classes) or "-"
                    line += f"  goods: {shared}"
                self.stdout.write(line)
                for reason in data["reasons"]:
                    self.stdout.write(f"      {reason['text']}")
