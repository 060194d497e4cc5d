"""Site-wide endpoints that belong to no app."""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any driver error means "down" to a load balancer
        return "down"
    return "ok"


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"  # no broker configured: tasks run in the web process
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return "down"
    finally:
        client.close()
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database down: 503, take this instance out. Broker down: 200, mail waits in the outbox."""
    database, broker = _database_state(), _broker_state()
    status = 503 if database != "ok" else 200
    return JsonResponse({"database": database, "broker": broker}, status=status)
