"""A batch of 500 invitations through Redis and a real worker, counted at a real SMTP sink."""

import time

import pytest
from django_scopes import scope

from members.services.invitations import Invitee, _create
from outbox.models import OutboxEmail
from tests.conftest import needs_postgres, needs_redis
from tests.integration.conftest import wait_for

pytestmark = [needs_postgres, needs_redis, pytest.mark.integration, pytest.mark.timeout(120)]


def test_it_delivers_a_batch_of_500(personas, smtp_sink, celery_worker):
    invitees = [Invitee(f"persona{n}@example.com", f"Persona {n}") for n in range(500)]
    with scope(network=personas.florence):
        _create(
            network=personas.florence,
            inviter=personas.alice,
            invitees=invitees,
            by_coordinator=True,
        )
    started = time.monotonic()
    wait_for(lambda: len(smtp_sink.messages) >= 500, timeout=90)
    elapsed = time.monotonic() - started
    addresses = {m["To"] for m in smtp_sink.messages}
    assert len(addresses) == 500 and len(smtp_sink.messages) == 500
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 500
    wait_for(lambda: OutboxEmail.objects.filter(status="sent").count() == 500)
    print(f"500 invitations delivered in {elapsed:.1f} s")
