"""Benchmark: approve N pending applications in one bulk decision and print the time.

Runs inside a transaction that is rolled back, so the database is left as it was. Meant for
PostgreSQL (the figure that counts); it runs on SQLite too.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from members.models import MembershipApplication, User
from members.services.applications import applications_decide
from networks.models import Network


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time a bulk approval of --count pending applications (rolled back afterwards)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=1000)

    def handle(self, *args: Any, count: int, **options: Any) -> None:
        try:
            with transaction.atomic():
                seconds, queries = self._run(count)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(
            f"bulk approve: {count} applications in {seconds * 1000:.0f} ms "
            f"({queries} queries) on {connection.vendor}"
        )

    def _run(self, count: int) -> tuple[float, int]:
        network = Network.objects.create(slug="bench-approve", name="Bench", region="-", city="-")
        now = timezone.now()
        users = User.objects.bulk_create(
            User(email=f"bench{n}@bench.example", first_name="Bench", last_name=str(n))
            for n in range(count)
        )
        with scope(network=network):
            apps = MembershipApplication.objects.bulk_create(
                MembershipApplication(
                    network=network, user=u, motivation="bench", privacy_version="bench",
                    privacy_acknowledged_at=now,
                )
                for u in users
            )  # fmt: skip
            ids = [a.pk for a in apps]
            actor = users[0]
            queries_before = len(connection.queries)
            with _capture():
                started = time.perf_counter()
                applications_decide(
                    network=network, application_ids=ids, action="approved", decided_by=actor
                )
                seconds = time.perf_counter() - started
                queries = len(connection.queries) - queries_before
        return seconds, queries


class _capture:
    """Count queries without DEBUG: force the debug cursor for the timed block only."""

    def __enter__(self) -> None:
        self.previous = connection.force_debug_cursor
        connection.force_debug_cursor = True

    def __exit__(self, *exc: object) -> None:
        connection.force_debug_cursor = self.previous
