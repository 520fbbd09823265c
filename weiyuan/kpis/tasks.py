from typing import Any

from celery import shared_task

from weiyuan.kpis.services import kpi_rebuild, kpi_refresh


@shared_task(name="weiyuan.kpis.tasks.kpi_refresh_task")
def kpi_refresh_task() -> dict[str, Any]:
    report = kpi_refresh()
    return {"partitions": report.partitions, "seconds": report.seconds, "skipped": report.skipped}


@shared_task(name="weiyuan.kpis.tasks.kpi_rebuild_task")
def kpi_rebuild_task() -> dict[str, Any]:
    report = kpi_rebuild()
    return {"own_rows": report.own_rows, "subtree_rows": report.subtree_rows, "seconds": report.seconds}
