from typing import Any

from django.core.management.base import BaseCommand, CommandError

from weiyuan.ecommerce.sweep import sweep_counter_notice_waits


class Command(BaseCommand):
    help = (
        "End the measures on listings whose 15-day wait after the counter-notice (E-Commerce Law Art. 43) has "
        "passed without a complaint or lawsuit: mark them restored and tell the platform (idempotent). The clock "
        "sweep (sweep_clocks) runs the same step."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["batch"] < 1:
            raise CommandError("--batch: must be at least 1")
        counts = sweep_counter_notice_waits(batch=opts["batch"])
        self.stdout.write(f"restored: {counts['ecommerce_restored']}")
