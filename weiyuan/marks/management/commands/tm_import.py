"""Import a register extract: `manage.py tm_import FILE [--valid-only] [--report PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from weiyuan.marks.importing import ImportFileError, mark_import, write_error_report


class Command(BaseCommand):
    help = (
        "Stream a CSV, TSV or .xlsx register extract (columns 商标/mark, 注册号/number, 类别/classes, optional "
        "商品服务/goods, 类似群/groups, 注册人/owner, 状态/status, dates) and upsert the marks by number. Row errors "
        "go to a report file (FILE.errors.csv unless --report); a file with errors imports nothing unless "
        "--valid-only is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows, skip the others")
        parser.add_argument("--report", type=Path, default=None, help="where to write the row errors (CSV)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        bar = tqdm(unit=" rows", disable=opts["no_progress"], file=sys.stderr, mininterval=0.5)
        try:
            report = mark_import(path=path, valid_only=opts["valid_only"], progress=bar.update)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        finally:
            bar.close()
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
