"""Export the expert database to an Excel workbook: `manage.py experts_export FILE [--all]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from weiyuan.experts.exporting import expert_export
from weiyuan.experts.selectors import ExpertFilters


class Command(BaseCommand):
    help = (
        "Write every expert in the database (with --all also the deactivated ones) to an .xlsx file that "
        "experts_import reads back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--all", action="store_true", help="include deactivated experts")

    def handle(self, *args: Any, **opts: Any) -> None:
        filters = ExpertFilters(active="all" if opts["all"] else "1")
        with opts["file"].open("wb") as fileobj:
            n = expert_export(actor=None, filters=filters, fileobj=fileobj)
        self.stdout.write(f"wrote {n} experts to {opts['file']}")
