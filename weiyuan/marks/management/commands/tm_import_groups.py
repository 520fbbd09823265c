"""Import the similar-group table: `manage.py tm_import_groups FILE [--valid-only] [--report PATH]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.marks.group_import import group_import
from weiyuan.marks.importing import ImportFileError, write_error_report


class Command(BaseCommand):
    help = (
        "Import the similar-group table (类似商品和服务区分表) from a CSV, TSV or .xlsx file: columns 类似群/code "
        "(four digits), 类别/class (1-45), 名称/name, optional 英文名称/name_en; upserted by code. Row errors go "
        "to a report file (FILE.errors.csv unless --report); a file with errors saves nothing unless --valid-only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows, skip the others")
        parser.add_argument("--report", type=Path, default=None, help="where to write the row errors (CSV)")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            report = group_import(path=path, valid_only=opts["valid_only"])
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        if report.error_count:
            target = opts["report"] or path.with_name(path.name + ".errors.csv")
            write_error_report(report.errors, target)
            for row_error in report.errors[:20]:
                self.stderr.write(str(row_error))
            if report.error_count > 20:
                self.stderr.write(f"… {report.error_count - 20} more in {target}")
            else:
                self.stderr.write(f"errors written to {target}")
        summary = (
            f"{report.rows_total} rows: {report.rows_valid} valid, {report.error_count} errors; "
            f"created {report.created}, updated {report.updated}"
        )
        if not report.saved:
            raise CommandError(f"{summary}. Nothing imported: fix the rows, or run again with --valid-only.")
        self.stdout.write(summary)
