from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from weiyuan.knowledge.services import laws_import


class Command(BaseCommand):
    help = "Import the Markdown law texts of DIR, one record per law and per article (idempotent; keeps versions)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        directory: Path = opts["directory"]
        if not directory.is_dir():
            raise CommandError(f"DIR {directory} is not a directory")
        report = laws_import(directory=directory)
        self.stdout.write(
            f"laws: {report.laws_created} new; versions: {report.versions_created} new, {report.unchanged} unchanged; "
            f"articles: {report.articles_created} new"
        )
        for error in report.errors:
            self.stderr.write(f"skipped {error}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} file(s) not imported")
