"""Benchmark: draw N name badges (the check-in desk's PDF) and print the time and the size.

No database: the badge rows are made up, with long names in several scripts, as the drawing is
the cost (each QR code is chosen with its best mask, as the ticket's is).
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from events import badges
from events.selectors import BadgeRow
from events.tickets import ticket_code_new

NAMES = ("Łukasz Żółć", "Zoë Ünal", "Ἀθηνᾶ Παλλάς", "Ирина Петрова", "Maria Teresa Bianchi")


class Command(BaseCommand):
    help = "Time the name badges PDF for --count people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=500)

    def handle(self, *args: Any, count: int, **options: Any) -> None:
        rows = [
            BadgeRow(
                registration_id=n,
                name=NAMES[n % len(NAMES)],
                company="Società Generale",
                network="FlorenceIN",
                is_guest=False,
                ticket_code=ticket_code_new(),
            )
            for n in range(count)
        ]
        started = time.perf_counter()
        pdf = badges.badges_pdf(rows=rows, title="Aperitivo di FlorenceIN", subtitle="12 marzo")
        took = time.perf_counter() - started
        self.stdout.write(f"badges: {count} in {took * 1000:.0f} ms, {len(pdf) // 1024} KiB")
