"""Site-wide endpoints that belong to no app."""

import redis
from django.conf import settings
from django.core.cache import cache
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


def _cache_state() -> str:
    # "local" without Redis; "down" while rate limits are counted in this process's memory.
    state = getattr(cache, "state", None)
    return state() if state else "local"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database down: 503, take this instance out. Broker or cache down: 200, pages still work
    (mail waits in the outbox; rate limits count in local memory)."""
    database, broker = _database_state(), _broker_state()
    status = 503 if database != "ok" else 200
    body = {"database": database, "broker": broker, "cache": _cache_state()}
    return JsonResponse(body, status=status)
