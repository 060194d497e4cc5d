"""Beat keeps the rollups fresh: the recent days every five minutes, everything nightly."""

from celery import shared_task

from clubin.stats import services


@shared_task(name="clubin.stats.tasks.stats_refresh_recent", ignore_result=True)
def stats_refresh_recent() -> int:
    return services.stats_refresh_recent()


@shared_task(name="clubin.stats.tasks.stats_rebuild", ignore_result=True)
def stats_rebuild() -> int:
    return services.stats_rebuild()
