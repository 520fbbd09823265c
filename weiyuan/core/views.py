from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from weiyuan.cases.models import ServiceType
from weiyuan.core.choices import IPType


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {"service_types": ServiceType.objects.filter(active=True), "ip_types": IPType.choices},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker state, for load balancers and monitoring. 503 when the database is down."""
    from weiyuan.notifications.models import OutboxMessage, OutboxStatus, WorkerHeartbeat

    body: dict[str, object] = {"status": "ok", "time": timezone.now().isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report any failure, never crash the probe
        body["database"] = {"ok": False, "error": type(exc).__name__}
        body["status"] = "error"
        return JsonResponse(body, status=503)
    beat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    stale_after = settings.WORKER_HEARTBEAT_STALE_SECONDS
    if beat is None:
        body["worker"] = {"ok": False, "state": "never seen"}
    else:
        age = (timezone.now() - beat.last_seen).total_seconds()
        body["worker"] = {
            "ok": age <= stale_after,
            "state": "running" if age <= stale_after else "stale",
            "name": beat.name,
            "last_seen": beat.last_seen.isoformat(),
            "seconds_since": round(age, 1),
        }
    body["outbox"] = {
        "pending": OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count(),
        "failed": OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count(),
    }
    if not body["worker"]["ok"]:  # type: ignore[index]
        body["status"] = "degraded"
    return JsonResponse(body)
