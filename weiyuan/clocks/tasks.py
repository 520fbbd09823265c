from celery import shared_task

from weiyuan.clocks.services import sweep_clocks


@shared_task(name="weiyuan.clocks.tasks.sweep_clocks_task")
def sweep_clocks_task() -> dict[str, int]:
    return sweep_clocks()
