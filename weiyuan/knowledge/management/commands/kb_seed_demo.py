"""Load the knowledge base's demo items (guides, Q&A, a case study, a training material). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weiyuan.knowledge.demo import kb_demo_seed, render_report


class Command(BaseCommand):
    help = (
        "Load the knowledge base's demo items, written and approved by the demo centres' staff (idempotent). "
        "Needs the demo network (seed_demo) and the imported laws (kb_import_laws)."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        report = kb_demo_seed(log=lambda line: self.stderr.write(line))
        self.stdout.write(render_report(report))
