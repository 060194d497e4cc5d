"""`manage.py clubin_doctor` on a healthy deployment: PostgreSQL, Redis, a real worker, SMTP."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from clubin.ops import checks
from clubin.stats.models import Refresh
from tests.clubin.test_doctor import PRODUCTION
from tests.conftest import needs_postgres, needs_redis
from tests.integration.conftest import wait_for

pytestmark = [needs_postgres, needs_redis, pytest.mark.integration, pytest.mark.django_db]


def test_it_passes_a_healthy_deployment(settings, celery_worker, smtp_sink, capsys):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    Refresh.objects.create(kind="recent", covers_until=timezone.now())
    wait_for(lambda: checks.check_worker().ok, timeout=30)  # the worker takes a moment to start
    checks_run = {}
    for finding in checks.run_checks():
        checks_run[finding.name] = finding.ok
    assert checks_run == dict.fromkeys(
        ["settings", "database", "redis", "worker", "beat", "smtp", "outbox"], True
    ), capsys.readouterr()
    call_command("clubin_doctor")
    assert "Everything looks right." in capsys.readouterr().out
