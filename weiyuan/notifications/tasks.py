from celery import shared_task

from weiyuan.notifications.services import outbox_deliver, worker_heartbeat


@shared_task(name="weiyuan.notifications.tasks.deliver_outbox_task")
def deliver_outbox_task() -> int:
    sent = outbox_deliver(limit=500)
    worker_heartbeat(name="celery", delivered=sent)
    return sent
