"""A real Celery worker against Redis, PostgreSQL and an SMTP server: mail arrives over the wire."""

import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from clubin.celery import app as celery_app
from outbox.models import OutboxEmail
from outbox.tasks import outbox_sweep
from tests.conftest import PASSWORD, needs_postgres, needs_redis
from tests.integration.conftest import wait_for

pytestmark = [needs_postgres, needs_redis, pytest.mark.integration, pytest.mark.timeout(90)]
ROOT = Path(__file__).resolve().parents[2]


def _signup(client, email: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_it_delivers_the_verification_email_over_smtp(client, smtp_sink, celery_worker):
    response = _signup(client, "nuova@example.com")
    assert response.status_code == 302
    [message] = wait_for(lambda: smtp_sink.to("nuova@example.com"))
    assert "/accounts/confirm-email/" in message.get_payload()[0].get_payload(decode=True).decode()
    email = OutboxEmail.objects.get(to="nuova@example.com")
    assert message["Message-ID"] == email.message_id
    wait_for(lambda: OutboxEmail.objects.filter(pk=email.pk, status="sent").exists())
    email.refresh_from_db()
    assert email.body_text == ""  # the link is not kept once delivered


@contextmanager
def _broker_at(url: str):
    """Point the web side's publisher somewhere else, as if Redis had gone away."""
    previous = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=url)
    _forget_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.update(broker_url=previous)
        _forget_broker_connections()


def _forget_broker_connections() -> None:
    # Celery caches its publisher pool; dropping it makes the next publish use the new URL.
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    celery_app._pool = None  # type: ignore[attr-defined]


def test_it_signs_up_without_a_broker_and_the_sweep_delivers_later(
    client, smtp_sink, celery_worker
):
    with _broker_at("redis://127.0.0.1:1/0"):
        started = time.monotonic()
        response = _signup(client, "senza.broker@example.com")
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0
    email = OutboxEmail.objects.get(to="senza.broker@example.com")
    assert email.status == "queued"

    time.sleep(1)
    assert smtp_sink.to("senza.broker@example.com") == []  # nobody picked it up
    OutboxEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    outbox_sweep.delay()  # what beat does every minute
    wait_for(lambda: smtp_sink.to("senza.broker@example.com"))
    wait_for(lambda: OutboxEmail.objects.filter(pk=email.pk, status="sent").exists())
