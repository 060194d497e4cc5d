"""Benchmark: people worth meeting for a sample of members among --members, on PostgreSQL.

Seeds the members with set-based SQL (``generate_series``: users, profiles whose offers and needs
are drawn from a vocabulary in Italian and English, memberships spread over networks, one
connection for every other member, a mix of visibilities), refreshes the statistics, then times
``people_worth_meeting`` for an evenly spread sample, through the GIN indexes and, for contrast,
with bitmap scans switched off (what a scan per request would cost). Everything runs inside a
transaction that is rolled back, so the database is left as it was, but for the dead rows the
rollback leaves until (auto)vacuum: vacuum before running it again, or it reads through them.
"""

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from members.models import User
from networks.models import Network
from ties.selectors.suggestions import people_worth_meeting

EMAIL = "bench-suggest-{}@bench.example"
# What members write: a service, for whom, and a second service. Drawn with different strides
# so that offers and needs are not the same texts.
SERVICES = (
    "consulenza export", "export consulting", "packaging alimentare", "marketing digitale",
    "web design", "contabilità e bilancio", "traduzioni tecniche", "logistica integrata",
    "formazione manageriale", "fotografia di prodotto", "assicurazioni aziendali",
    "consulenza legale", "software gestionale", "cybersecurity audits", "catering per eventi",
    "eventi aziendali", "stampa digitale", "impianti fotovoltaici", "interior design",
    "selezione del personale", "recruiting", "finanza agevolata", "e-commerce", "social media",
    "branding", "video production", "copywriting", "tax advice", "bookkeeping",
    "freight forwarding", "leadership training", "product photography", "cyber insurance",
    "mobile apps", "data analytics", "sustainability reporting", "restauro conservativo",
    "wine tasting tours", "business English", "notaio per start-up",
)  # fmt: skip
WHOM = (
    "per il settore alimentare", "for wineries", "per start-up innovative", "for hotels",
    "per la moda", "for manufacturers", "per studi medici", "for real estate agencies",
    "nel turismo", "for retailers", "per artigiani", "for family businesses",
    "per cantine", "for exporters", "per la meccanica", "for law firms",
)  # fmt: skip


def _pick(words: tuple[str, ...], salt: int) -> str:
    """A SQL expression choosing one of ``words`` from the row number ``i``, by a hash, so that
    what a member writes does not follow their network or visibility (both taken from ``i``)."""
    listed = ", ".join("'" + w.replace("'", "''") + "'" for w in words)
    return f"(ARRAY[{listed}])[1 + abs(hashtext(i::text || ':{salt}')) % {len(words)}]"


def _text(a: int, b: int, c: int) -> str:
    return f"{_pick(SERVICES, a)} || ' ' || {_pick(WHOM, b)} || ', ' || {_pick(SERVICES, c)}"


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time people worth meeting for --sample members among --members (rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--networks", type=int, default=20)
        parser.add_argument("--sample", type=int, default=100)
        parser.add_argument("--scan-sample", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Suggestions are indexed on PostgreSQL only: set DATABASE_URL.")
        try:
            with transaction.atomic():
                self._run(**options)
                raise Rollback
        except Rollback:
            pass

    def _run(self, *, members: int, networks: int, sample: int, scan_sample: int, **_: Any) -> None:
        started = time.perf_counter()
        self._seed(members, networks)
        self.stdout.write(f"seeded {members} members in {time.perf_counter() - started:.1f} s")
        seeded = User.objects.filter(email__startswith="bench-suggest-").order_by("pk")
        every = seeded.values_list("pk", flat=True)[:: max(1, members // sample)]
        people = list(User.objects.filter(pk__in=every[:sample]).order_by("pk"))
        self._report("indexed", self._time(people))
        for suggestion in people_worth_meeting(user=people[0])[:2]:
            self.stdout.write(f"  e.g. {suggestion.name}: {' / '.join(suggestion.reasons)}")
        with connection.cursor() as cursor:
            # What a scan per request would cost: the same query without the GIN indexes.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        self._report("without the indexes", self._time(people[:scan_sample]))

    def _seed(self, members: int, networks: int) -> None:
        ids = [
            Network.objects.create(
                slug=f"bench-suggest-{n}", name=f"Bench {n}", region="-", city="-", status="active"
            ).pk
            for n in range(networks)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO members_user (password, is_superuser, email, first_name, last_name, "
                "is_staff, is_active, date_joined, language) "
                "SELECT '!', false, format(%s, i), 'Bench', i::text, false, true, now(), '' "
                "FROM generate_series(1, %s) AS i",
                [EMAIL.replace("{}", "%s"), members],
            )
            offers, needs = _text(7, 3, 11), _text(13, 5, 17)
            cursor.execute(
                # The vocabulary interpolated is this module's constants.
                "INSERT INTO members_profile (user_id, company, job_title, sector, city, "  # noqa: S608
                "linkedin_url, phone, bio, offers, needs, visibility, show_email, show_phone, "
                "show_linkedin, event_news, search_text) "
                f"SELECT id, 'Bench', '', '', '', '', '', '', {offers}, {needs}, "
                "CASE WHEN i % 20 = 0 THEN 'hidden' WHEN i % 20 < 4 THEN 'federation' "
                "ELSE 'networks' END, false, false, false, false, '' "
                "FROM (SELECT id, last_name::int AS i FROM members_user "
                "WHERE email LIKE 'bench-suggest-%') AS seeded",
            )
            cursor.execute(
                "INSERT INTO networks_membership (network_id, user_id, role, card_number, status, "
                "joined_on, application_alerts) "
                "SELECT (%s::bigint[])[1 + i %% %s], id, 'member', i, "
                "CASE WHEN i %% 50 = 0 THEN 'lapsed' ELSE 'active' END, now(), 'immediate' "
                "FROM (SELECT id, last_name::int AS i FROM members_user "
                "WHERE email LIKE 'bench-suggest-%%') AS seeded",
                [ids, len(ids)],
            )
            cursor.execute(
                "INSERT INTO ties_connection (user_low_id, user_high_id, origin, created_at) "
                "SELECT id, id + 1, 'event', now() FROM members_user "
                "WHERE email LIKE 'bench-suggest-%' AND id % 2 = 0 "
                "AND EXISTS (SELECT 1 FROM members_user n WHERE n.id = members_user.id + 1)"
            )
            cursor.execute("ANALYZE members_user, members_profile, networks_membership")
            cursor.execute("ANALYZE ties_connection, ties_suggestiondismissal")

    def _time(self, people: list[User]) -> tuple[list[float], list[int], int, int]:
        timings, found, matches = [], [], []
        previous = connection.force_debug_cursor
        connection.force_debug_cursor = True
        before = len(connection.queries)
        try:
            for person in people:
                started = time.perf_counter()
                found.append(len(people_worth_meeting(user=person)))
                timings.append((time.perf_counter() - started) * 1000)
                matches += [q["sql"] for q in connection.queries[-4:] if "_tsv @@" in q["sql"]]
            queries = len(connection.queries) - before
        finally:
            connection.force_debug_cursor = previous
        return timings, found, queries, sum(self._uses_index(sql) for sql in matches)

    def _uses_index(self, sql: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            return any("Bitmap Index Scan on profile_" in row[0] for row in cursor.fetchall())

    def _report(self, label: str, result: tuple[list[float], list[int], int, int]) -> None:
        timings, found, queries, indexed = result
        if not timings:
            return
        p95 = sorted(timings)[max(0, round(len(timings) * 0.95) - 1)]
        self.stdout.write(
            f"{label}: {len(timings)} members, mean {statistics.mean(timings):.1f} ms, "
            f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(timings):.1f} ms; {statistics.mean(found):.1f} suggestions each, "
            f"{queries / len(timings):.1f} queries each; the plan reads the GIN indexes for "
            f"{indexed} of {len(timings)}"
        )
