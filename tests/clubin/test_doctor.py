"""`manage.py clubin_doctor`: each part of a deployment is checked, with a fix for what fails."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clubin.ops import checks
from clubin.stats.models import Refresh
from outbox.models import OutboxEmail
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": False,
    "SECRET_KEY": "k" * 60,
    "ALLOWED_HOSTS": ["clubin.example.org"],
    "SITE_URL": "https://clubin.example.org",
}


def test_it_fails_on_development_settings_and_says_how_to_fix(capsys):
    with pytest.raises(CommandError):
        call_command("clubin_doctor")
    out = capsys.readouterr().out
    assert "FAIL settings" in out and "SECRET_KEY is the development one" in out
    assert "fix: Set DEBUG=0" in out


def test_it_accepts_production_settings(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    assert checks.check_settings().ok
    settings.SECRET_KEY = "django-insecure-" + "x" * 60
    assert not checks.check_settings().ok


def test_it_notices_a_silent_beat():
    assert not checks.check_beat().ok  # never ran
    Refresh.objects.create(kind="recent", covers_until=timezone.now())
    assert checks.check_beat().ok
    Refresh.objects.update(finished_at=timezone.now() - timedelta(minutes=20))
    assert not checks.check_beat().ok


def test_it_notices_an_outbox_backing_up():
    late = timezone.now() - timedelta(minutes=30)
    OutboxEmail.objects.bulk_create(
        OutboxEmail(idempotency_key=f"k{n}", template="t", to="x@example.com", subject="s",
                    next_attempt_at=late)
        for n in range(checks.OUTBOX_BACKLOG)
    )  # fmt: skip
    finding = checks.check_outbox()
    assert not finding.ok and f"{checks.OUTBOX_BACKLOG} emails overdue" in finding.detail


def test_it_notices_an_unreachable_smtp_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    finding = checks.check_smtp()
    assert not finding.ok and "EMAIL_URL" in finding.fix
