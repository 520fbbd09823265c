"""Load the demo network (centres, accounts for every role, ~200 cases). Safe to run again: it changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weiyuan.cases.models import CaseState
from weiyuan.core.demo import SeedSummary, seed_demo
from weiyuan.ecommerce.demo import ecommerce_demo_seed
from weiyuan.evaluation.demo import evaluation_demo_seed
from weiyuan.experts.demo import experts_demo_seed
from weiyuan.feedback.demo import feedback_demo_seed
from weiyuan.funds.demo import funds_demo_seed
from weiyuan.knowledge.demo import kb_demo_seed, render_report
from weiyuan.opinions.demo import opinions_demo_seed
from weiyuan.panels.demo import panels_demo_seed
from weiyuan.partners.demo import partners_demo_seed
from weiyuan.referrals.demo import referrals_demo_seed
from weiyuan.volunteers.demo import volunteers_demo_seed


class Command(BaseCommand):
    help = "Load the demo network of centres, accounts and cases (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        summary = seed_demo(log=lambda line: self.stderr.write(line))
        self.stdout.write(render_summary(summary))
        # The knowledge base's editor account, and its demo items when the laws are already imported
        # (otherwise `manage.py kb_seed_demo` loads them after `kb_import_laws`).
        self.stdout.write(render_report(kb_demo_seed(log=lambda line: self.stderr.write(line))))
        self.stdout.write(experts_demo_seed(log=lambda line: self.stderr.write(line)))
        # One issued patent opinion letter and one draft; one major case with a signed panel solution.
        self.stdout.write(opinions_demo_seed(log=lambda line: self.stderr.write(line)))
        self.stdout.write(panels_demo_seed(log=lambda line: self.stderr.write(line)))
        self.stdout.write(partners_demo_seed(log=lambda line: self.stderr.write(line)))
        self.stdout.write(referrals_demo_seed(log=lambda line: self.stderr.write(line)))
        # The demo platform's account and the demo company's notices to it, in every state of a listing.
        self.stdout.write(ecommerce_demo_seed(log=lambda line: self.stderr.write(line)))
        # Answered surveys, recorded return visits and one service complaint (the conclusions opened the rest).
        self.stdout.write(feedback_demo_seed(log=lambda line: self.stderr.write(line)))
        # Budgets of last year (closed) and this year, spending entries and the expert fees of approved work.
        self.stdout.write(funds_demo_seed(log=lambda line: self.stderr.write(line)))
        # The demo volunteer's registration with hours at the Zhejiang assistance centre, and a pending application.
        self.stdout.write(volunteers_demo_seed(log=lambda line: self.stderr.write(line)))
        # This year's evaluation scheme, published, with one centre scored and one awaiting scoring (reads the KPIs).
        self.stdout.write(evaluation_demo_seed(log=lambda line: self.stderr.write(line)))


def render_summary(summary: SeedSummary) -> str:
    if summary.created:
        head = f"Demo network loaded in {summary.seconds:.1f} s."
    else:
        head = "Demo network already present: nothing changed."
        if summary.totp_devices:
            head = f"Demo network already present: added {summary.totp_devices} missing TOTP device(s)."
    centres = ", ".join(f"{status} {n}" for status, n in sorted(summary.centres.items()))
    states = ", ".join(f"{state} {summary.cases[state]}" for state in CaseState.values if summary.cases[state])
    lines = [
        head,
        f"  centres: {sum(summary.centres.values())} ({centres})",
        f"  demo accounts: {summary.accounts}",
        f"  cases: {sum(summary.cases.values())} ({states})",
        f"  running clocks: {summary.overdue_clocks} overdue, {summary.due_soon_clocks} due within 3 days",
        f"  evidence files: {summary.evidence_files}, messages: {summary.messages}, "
        f"co-handling grants: {summary.shares}",
        f"  outbox notices queued: {summary.outbox}",
        "Run `manage.py demo_logins` for the accounts.",
    ]
    return "\n".join(lines)
