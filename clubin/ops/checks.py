"""Each check looks at one part of a deployment and says what is wrong and how to fix it.

A check returns a ``Finding``; it never raises, so one broken part does not hide the others.
"""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from outbox.selectors import outbox_failed_count, outbox_overdue_count

BEAT_LATE = timedelta(minutes=15)  # beat refreshes the statistics every 5 minutes
OUTBOX_LATE = timedelta(minutes=10)
OUTBOX_BACKLOG = 100
INSECURE_KEY_PREFIX = "django-insecure"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_settings() -> Finding:
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on")
    if settings.SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(settings.SECRET_KEY) < 50:
        problems.append("SECRET_KEY is the development one or shorter than 50 characters")
    if not [
        h
        for h in settings.ALLOWED_HOSTS
        if h not in ("localhost", "127.0.0.1", "[::1]", "testserver")
    ]:
        problems.append("ALLOWED_HOSTS names no public host")
    if not settings.SITE_URL.startswith("https://"):
        problems.append("SITE_URL is not https")
    if problems:
        return Finding(
            "settings", False, "; ".join(problems),
            "Set DEBUG=0, a random SECRET_KEY (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'), ALLOWED_HOSTS and SITE_URL=https://… in the "
            "environment file, then restart the services.",
        )  # fmt: skip
    return Finding("settings", True, "production settings")


def check_database() -> Finding:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # any driver error means "unreachable" to the operator
        return Finding(
            "database", False, f"unreachable: {error}".strip()[:300],
            "Check DATABASE_URL and that PostgreSQL runs (systemctl status postgresql).",
        )  # fmt: skip
    if pending:
        return Finding(
            "database", False, f"{len(pending)} migration(s) not applied",
            "Run python manage.py migrate --no-input, then restart web, worker and beat.",
        )  # fmt: skip
    return Finding("database", True, f"{connection.vendor}, migrated")


def check_redis() -> Finding:
    if not settings.REDIS_URL:
        return Finding(
            "redis", False, "REDIS_URL is not set: tasks run inside web requests",
            "Set REDIS_URL=redis://127.0.0.1:6379/0 and run a worker and beat.",
        )  # fmt: skip
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return Finding(
            "redis", False, f"unreachable: {error}",
            "Check REDIS_URL and that Redis runs (systemctl status redis-server).",
        )  # fmt: skip
    return Finding("redis", True, "answers")


def check_worker() -> Finding:
    from clubin.celery import app

    if not settings.REDIS_URL:
        return Finding("worker", False, "no broker configured", "Set REDIS_URL first.")
    try:
        replies = app.control.ping(timeout=2.0)
    except Exception as error:  # kombu raises several unrelated types for "no broker"
        replies, problem = [], str(error)
    else:
        problem = "no worker answered a ping within 2 s"
    if not replies:
        return Finding(
            "worker", False, problem,
            "Start it: systemctl start clubin-worker (logs: journalctl -u clubin-worker).",
        )  # fmt: skip
    return Finding("worker", True, f"{len(replies)} answering")


def check_beat() -> Finding:
    from clubin.stats.models import Refresh

    last = Refresh.objects.filter(kind="recent").order_by("-finished_at").first()
    if last is None or timezone.now() - last.finished_at > BEAT_LATE:
        when = "never" if last is None else f"last at {last.finished_at:%Y-%m-%d %H:%M} UTC"
        return Finding(
            "beat", False, f"the 5-minute statistics job ran {when}",
            "Run exactly one beat: systemctl start clubin-beat; check the worker too.",
        )  # fmt: skip
    return Finding("beat", True, f"last periodic job at {last.finished_at:%H:%M} UTC")


def check_smtp() -> Finding:
    backend = settings.EMAIL_BACKEND
    if not backend.endswith("smtp.EmailBackend"):
        return Finding(
            "smtp", False, f"mail goes to {backend.rsplit('.', 2)[-2]}, not to an SMTP server",
            "Set EMAIL_URL=smtp+tls://user:password@smtp.provider.example:587.",
        )  # fmt: skip
    mailer = get_connection(fail_silently=False, timeout=5)
    try:
        mailer.open()
        mailer.close()
    except (smtplib.SMTPException, OSError) as error:
        return Finding(
            "smtp", False, f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {error}",
            "Check EMAIL_URL (host, port, user, password, tls) with your provider.",
        )  # fmt: skip
    return Finding("smtp", True, f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT} accepts logins")


def check_outbox() -> Finding:
    late = outbox_overdue_count(by=OUTBOX_LATE)
    failed = outbox_failed_count(since=timezone.now() - timedelta(days=1))
    if late >= OUTBOX_BACKLOG:
        return Finding(
            "outbox", False, f"{late} emails overdue by more than 10 minutes",
            "The worker is stopped or the SMTP server refuses: see the worker and smtp checks.",
        )  # fmt: skip
    detail = f"{late} overdue, {failed} failed in the last 24 hours"
    if failed:
        return Finding(
            "outbox", False, detail,
            "Read last_error of the failed emails in the admin (Outgoing emails).",
        )  # fmt: skip
    return Finding("outbox", True, detail)


CHECKS: tuple[Callable[[], Finding], ...] = (
    check_settings, check_database, check_redis, check_worker, check_beat, check_smtp,
    check_outbox,
)  # fmt: skip


def run_checks() -> list[Finding]:
    findings = []
    for check in CHECKS:
        try:
            findings.append(check())
        except Exception as error:  # a check's own bug must not hide the other findings
            findings.append(Finding(check.__name__.removeprefix("check_"), False, repr(error)))
    return findings
