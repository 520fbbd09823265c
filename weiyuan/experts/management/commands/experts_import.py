"""Import experts from an Excel workbook: `manage.py experts_import FILE [--valid-only] [--centre CODE]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.experts.importing import expert_import
from weiyuan.network.models import Centre


class Command(BaseCommand):
    help = (
        "Check every row of an expert workbook (.xlsx, the template's columns) and import it. A file with errors "
        "imports nothing unless --valid-only is given. New experts are kept by --centre (default: the national "
        "guidance centre, the root of the network)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows, skip the others")
        parser.add_argument("--centre", default="", help="code of the centre that keeps the new experts")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if opts["centre"]:
            centre = Centre.objects.filter(code=opts["centre"]).first()
            if centre is None:
                raise CommandError(f"no centre with code {opts['centre']!r}")
        else:
            centre = Centre.objects.filter(parent__isnull=True).order_by("pk").first()
            if centre is None:
                raise CommandError("the network has no centre yet: create one (or run seed_demo) first")
        with path.open("rb") as fileobj:
            report = expert_import(
                actor=None, centre=centre, fileobj=fileobj, valid_only=opts["valid_only"], operator=True
            )
        if report.file_error:
            raise CommandError(report.file_error)
        for error in report.errors:
            self.stderr.write(error.message)
        if report.errors_truncated:
            self.stderr.write(f"… {report.error_count - len(report.errors)} more")
        summary = (
            f"{report.rows_total} rows: {report.rows_valid} valid, {report.rows_with_errors} with errors; "
            f"created {report.created}, updated {report.updated}"
        )
        if not report.saved:
            raise CommandError(
                f"{summary}. Nothing imported"
                + (
                    " (no valid rows)."
                    if report.rows_valid
                    else ": fix the rows above, or run again with --valid-only."
                )
            )
        self.stdout.write(summary + ".")
