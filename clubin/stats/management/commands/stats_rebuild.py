from typing import Any

from django.core.management.base import BaseCommand

from clubin.stats.services import stats_rebuild


class Command(BaseCommand):
    help = "Recompute every statistics rollup from the first recorded day to today."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = stats_rebuild()
        self.stdout.write(f"Rebuilt {rows} network-day rows.")
