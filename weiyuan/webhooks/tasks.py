from celery import shared_task

from weiyuan.webhooks.delivery import webhooks_deliver


@shared_task(name="weiyuan.webhooks.tasks.deliver_webhooks_task")
def deliver_webhooks_task() -> dict[str, int]:
    return webhooks_deliver(limit=200)
