"""A broker that does not answer costs one request its timeout, not every request."""

import pytest
from kombu.exceptions import OperationalError

from outbox import services
from outbox.tasks import outbox_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    attempts: list[list[int]] = []

    def refuse(args, **kwargs):
        attempts.append(args[0])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox_send, "apply_async", refuse)
    return attempts


def _queued(n: int) -> int:
    email = services.outbox_add(
        template="test", to=f"p{n}@example.com", subject="Ciao", body_text="Ciao"
    )
    return email.pk


def test_it_skips_the_broker_for_a_while_after_a_failed_publish(broker_down):
    first, second = _queued(1), _queued(2)
    assert services.outbox_dispatch(email_ids=[first]) is False
    assert services.outbox_dispatch(email_ids=[second]) is False
    assert broker_down == [[first]]  # the second request did not wait for the broker


def test_it_lets_the_sweep_try_the_broker_every_time(broker_down, settings):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0  # the row is due at once
    email_id = _queued(1)
    services.outbox_dispatch(email_ids=[email_id])
    services.outbox_sweep()
    assert broker_down == [[email_id], [email_id]]
