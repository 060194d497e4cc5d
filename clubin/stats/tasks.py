"""Keeping the rollups fresh: beat refreshes the recent days every five minutes and everything
nightly; a change schedules a refresh of its own, at most one a minute.

``make run`` has no beat and runs tasks in-process (CELERY_TASK_ALWAYS_EAGER without
REDIS_URL): there the refresh after a change is what keeps the dashboards current.
"""

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from clubin.stats import services

SOON_KEY = "stats:refresh-soon"


@shared_task(name="clubin.stats.tasks.stats_refresh_recent", ignore_result=True)
def stats_refresh_recent() -> int:
    return services.stats_refresh_recent()


@shared_task(name="clubin.stats.tasks.stats_rebuild", ignore_result=True)
def stats_rebuild() -> int:
    return services.stats_rebuild()


def stats_refresh_soon() -> None:
    """After a change that moves the figures: once it commits, schedule a refresh of the recent
    days, unless one was scheduled in the last minute (the cache remembers it). A worker runs
    it a minute later, so it also covers the changes made in that minute; in-process it runs
    at once."""
    transaction.on_commit(_schedule, robust=True)


def _schedule() -> None:
    debounce = services.REFRESH_EVERY_SECONDS
    if cache.add(SOON_KEY, 1, timeout=debounce):
        stats_refresh_recent.apply_async(countdown=debounce)
