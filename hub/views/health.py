"""Liveness and readiness probes for load balancers and orchestrators."""
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from hub.celery import app as celery_app


def _database_ok() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker_ok() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)


CHECKS = {"database": _database_ok, "broker": _broker_ok}


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    results, down = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason goes in the body
            results[name] = f"unavailable: {exc.__class__.__name__}: {exc}"[:300]
            down.append(name)
    body = {"status": "unavailable" if down else "ok", "down": down, "checks": results}
    return JsonResponse(body, status=503 if down else 200)
