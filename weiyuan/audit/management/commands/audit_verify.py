from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from weiyuan.audit.models import AuditEvent
from weiyuan.audit.selectors import BrokenLink, audit_chain_verify


class Command(BaseCommand):
    help = "Recompute every audit chain and report the first broken link of each (exit 1 if any)."

    def handle(self, *args: Any, **opts: Any) -> None:
        total = AuditEvent.objects.count()
        broken: list[BrokenLink] = []
        with tqdm(total=total, unit="event", disable=not self.stdout.isatty()) as bar:
            for item in audit_chain_verify():
                if isinstance(item, BrokenLink):
                    broken.append(item)
                else:
                    bar.update(item)
        if broken:
            for link in broken:
                self.stdout.write(
                    f"BROKEN chain {link.chain} at seq {link.seq} (event id {link.event_id}): {link.reason}"
                )
            raise CommandError(f"{len(broken)} broken chain(s)")
        self.stdout.write(f"OK: {total} events, every chain intact")
