from typing import Any

from django.core.management.base import BaseCommand

from weiyuan.clocks.services import sweep_clocks


class Command(BaseCommand):
    help = "Turn due-soon, overdue and escalation stages of running clocks into outbox notices (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        counts = sweep_clocks()
        self.stdout.write(
            f"due soon: {counts['due_soon']}, overdue: {counts['overdue']}, escalated: {counts['escalated']}"
        )
