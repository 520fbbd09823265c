"""Record approved expert work that has no spending entry yet as "expert fees" spending (idempotent: each work
entry is linked once). The approval service does this itself; run this once after installing the funds app, or to
repair. `--centre CODE`, `--year YYYY` narrow it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.funds.services import expert_fees_sync
from weiyuan.network.models import Centre


class Command(BaseCommand):
    help = "Record approved expert work as expert-fee spending where missing (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--centre", default="", help="Only this centre (code).")
        parser.add_argument("--year", type=int, default=None, help="Only work dated in this year.")

    def handle(self, *args: Any, **opts: Any) -> None:
        centre_id = None
        if opts["centre"]:
            centre = Centre.objects.filter(code=opts["centre"]).first()
            if centre is None:
                raise CommandError(f"unknown centre: {opts['centre']}")
            centre_id = centre.pk
        added = expert_fees_sync(centre_id=centre_id, year=opts["year"])
        self.stdout.write(f"expert-fee spending entries added: {added}")
