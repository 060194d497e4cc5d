from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clubin.ops.checks import run_checks


class Command(BaseCommand):
    help = (
        "Check a deployment: settings, database, Redis, a worker, beat, SMTP and the outbox. "
        "Exits with status 1 when something is wrong."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        findings = run_checks()
        for finding in findings:
            mark = self.style.SUCCESS("ok  ") if finding.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {finding.name:<9} {finding.detail}")
            if not finding.ok and finding.fix:
                self.stdout.write(f"     {'':<9} fix: {finding.fix}")
        wrong = [f.name for f in findings if not f.ok]
        if wrong:
            raise CommandError(f"{len(wrong)} problem(s): {', '.join(wrong)}")
        self.stdout.write(self.style.SUCCESS("Everything looks right."))
