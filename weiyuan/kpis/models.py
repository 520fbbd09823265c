"""KPI aggregates (issue #7 "KPIs and dashboards"): figures per centre and month, kept up to date from the rows
they summarise so that no dashboard scans the cases.

- `KpiMonth` holds one centre's figures for one calendar month, twice: `subtree=False` counts the centre's own
  cases, `subtree=True` the centre and every centre below it (rolled up from the children's subtree rows). A
  dashboard of any node and period reads at most twelve rows per year of that node; a ranking reads one row per
  centre and month. Absent rows mean zero.
- Counters are plain columns (ranked and summed in SQL); histograms of working days and the breakdowns are JSON
  (`detail`), merged by summing (weiyuan/kpis/aggregate.py).
- `KpiDirty` lists the (centre, month) partitions whose source rows changed: signals add them in the writing
  transaction, the refresh claims and recomputes them (weiyuan/kpis/services.py). `kpi_rebuild` recomputes all.
- `KpiCurrent` is the "now" snapshot per centre (open cases, overdue clocks), recomputed by each refresh.
"""

from __future__ import annotations

from django.db import models


class KpiMonth(models.Model):
    centre = models.ForeignKey("network.Centre", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    subtree = models.BooleanField(default=False)

    # Cohort of the month's applications (submitted in the month).
    applications = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    priority = models.PositiveIntegerField(default=0)
    # Flows in the month.
    concluded = models.PositiveIntegerField(default=0)
    clocks_due = models.PositiveIntegerField(default=0)
    clocks_on_time = models.PositiveIntegerField(default=0)
    surveys_sent = models.PositiveIntegerField(default=0)
    surveys_answered = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    visits_due = models.PositiveIntegerField(default=0)
    visits_done = models.PositiveIntegerField(default=0)
    referrals = models.PositiveIntegerField(default=0)
    expert_tasks = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "subtree", "month"], name="kpi_month_unique"),
        ]
        indexes = [
            # The ranking sums the counters of every centre over the period's months: on PostgreSQL an index-only
            # scan of this covering index, not a walk through the wide rows (their `detail` stays in the heap).
            models.Index(
                fields=["subtree", "month", "centre"],
                include=[
                    "applications", "accepted", "rejected", "priority", "concluded", "clocks_due", "clocks_on_time",
                    "surveys_sent", "surveys_answered", "satisfaction_sum", "visits_due", "visits_done", "referrals",
                    "expert_tasks",
                ],
                name="kpi_month_rank_idx",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.centre_id} {self.month:%Y-%m} {'subtree' if self.subtree else 'own'}"


class KpiDirty(models.Model):
    centre_id = models.IntegerField()
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre_id", "month"], name="kpi_dirty_unique")]


class KpiCurrent(models.Model):
    centre = models.ForeignKey("network.Centre", on_delete=models.CASCADE, related_name="+")
    subtree = models.BooleanField(default=False)
    open_cases = models.PositiveIntegerField(default=0)
    overdue_clocks = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "subtree"], name="kpi_current_unique")]
