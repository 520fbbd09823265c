"""`manage.py evidence_orphans [--delete] [--older-than HOURS]`: stored evidence files that have no database row.

Such files are left behind when the transaction that stored them rolled back or the process died before COMMIT
(see `weiyuan.evidence.services.evidence_store`). Without --delete the command only lists them; run it with
--delete daily (cron or a systemd timer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from weiyuan.evidence.services import ORPHAN_MIN_AGE, evidence_orphans_delete, evidence_orphans_find

DEFAULT_HOURS = 24


class Command(BaseCommand):
    help = "List (or with --delete remove) stored evidence files without an EvidenceFile row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="delete the files listed")
        parser.add_argument(
            "--older-than",
            dest="older_than",
            type=int,
            default=DEFAULT_HOURS,
            metavar="HOURS",
            help=f"only files last modified at least HOURS ago (default {DEFAULT_HOURS}, at least "
            f"{int(ORPHAN_MIN_AGE.total_seconds() // 3600)}: younger files may belong to an upload still in progress)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        hours = opts["older_than"]
        min_hours = int(ORPHAN_MIN_AGE.total_seconds() // 3600)
        if hours < min_hours:
            raise CommandError(
                _("--older-than 须为不小于 %(min)s 的整数（小时），收到 %(v)s：更新的文件可能属于尚未提交的上传。")
                % {"min": min_hours, "v": hours}
            )
        older_than = dt.timedelta(hours=hours)
        orphans = evidence_orphans_find(older_than=older_than)
        for orphan in orphans:
            modified = orphan.modified_at.isoformat() if orphan.modified_at else "?"
            size = orphan.size if orphan.size is not None else "?"
            self.stdout.write(f"{orphan.name}\t{size}\t{modified}")
        total = sum(o.size or 0 for o in orphans)
        if not opts["delete"]:
            self.stdout.write(f"{len(orphans)} orphaned file(s), {total} bytes; run with --delete to remove them")
            return
        try:
            deleted = evidence_orphans_delete(orphans=orphans, older_than=older_than)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"deleted {deleted} of {len(orphans)} orphaned file(s)")
