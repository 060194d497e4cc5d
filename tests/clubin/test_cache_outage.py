"""A Redis outage: the pages a visitor uses keep answering, the rate limits keep limiting.

Each test starts its own redis-server on a free port (never the shared one), points the cache at
it, then stops it or freezes it (SIGSTOP: connections are accepted by the kernel and never
answered, the worst case for a client).
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from clubin import cache as fallback_cache
from clubin.celery import app as celery_app
from events.models import Event
from outbox import services as mail_services
from tests.conftest import PASSWORD
from tests.events.factories import make_event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.serial,  # pages must answer within BUDGET: measured alone
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server program"),
]
BUDGET = 2.0  # seconds a page may take while Redis is out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(settings):
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]  # nothing written to disk
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    settings.CACHES = {
        "default": {
            "BACKEND": "clubin.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "clubin",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    fallback_cache._down_until.clear()
    # The broker too: signup, reset and guest registration queue mail on the same Redis.
    previous_broker = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{port}/1", task_always_eager=False)
    _forget_broker_connections()
    mail_services._broker["down_until"] = 0.0
    yield server
    celery_app.conf.update(broker_url=previous_broker)
    _forget_broker_connections()
    if server.poll() is None:
        os.kill(server.pid, signal.SIGCONT)
        server.terminate()
        server.wait(5)
    fallback_cache._down_until.clear()
    mail_services._broker["down_until"] = 0.0


def _forget_broker_connections() -> None:
    # Celery caches its publisher pool; dropping it makes the next publish use the new URL.
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    celery_app._pool = None  # type: ignore[attr-defined]


def _break(server: subprocess.Popen, how: str) -> None:
    if how == "stopped":
        server.terminate()
        server.wait(5)
    else:
        os.kill(server.pid, signal.SIGSTOP)


def _timed(call, capture):
    started = time.monotonic()
    with capture(execute=True):  # the mail handed to the broker after commit, as in production
        response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("how", ["stopped", "paused"])
def test_it_keeps_visitor_pages_working_while_redis_is_out(
    client, personas, own_redis, how, django_capture_on_commit_callbacks
):
    event = make_event(personas.florence, visibility=Event.Visibility.PUBLIC)
    guest_url = reverse(
        "event_register_guest", kwargs={"network_slug": "florence", "event_id": event.pk}
    )
    assert client.get("/healthz").json()["cache"] == "ok"
    _break(own_redis, how)
    calls = {
        "login": lambda: client.post(
            reverse("account_login"), {"login": "bob@example.com", "password": PASSWORD}
        ),
        "signup": lambda: client.post(
            reverse("account_signup"),
            {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        ),
        "password reset": lambda: client.post(
            reverse("account_reset_password"), {"email": "dave@example.com"}
        ),
        "guest registration": lambda: client.post(
            guest_url, {"name": "Gina Ospite", "email": "gina@example.com", "privacy": "on"}
        ),
    }
    for name, call in calls.items():
        client.logout()
        response, took = _timed(call, django_capture_on_commit_callbacks)
        assert response.status_code in (200, 302), name
        assert took < BUDGET, (name, took)
    assert client.get("/healthz").json()["cache"] == "down"


@pytest.mark.parametrize("how", ["stopped", "paused"])
def test_it_keeps_rate_limits_while_redis_is_out(client, personas, own_redis, how):
    event = make_event(personas.florence, visibility=Event.Visibility.PUBLIC)
    guest_url = reverse(
        "event_register_guest", kwargs={"network_slug": "florence", "event_id": event.pk}
    )
    _break(own_redis, how)
    data = {"name": "Bot", "email": "target@example.com", "privacy": "on"}
    answers = [client.post(guest_url, data).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]  # the per-address limit, counted in local memory
    wrong = {"login": "bob@example.com", "password": "not the password"}
    login = [
        client.post(reverse("account_login"), wrong, HTTP_ACCEPT_LANGUAGE="en") for _ in range(6)
    ]
    assert "Too many failed login attempts" in login[-1].content.decode()
    assert "Too many failed login attempts" not in login[0].content.decode()


def test_it_logs_the_outage_once(client, personas, own_redis, caplog):
    _break(own_redis, "stopped")
    for _ in range(3):
        client.post(reverse("account_reset_password"), {"email": "dave@example.com"})
    outages = [r for r in caplog.records if "Cache unreachable" in r.getMessage()]
    assert len(outages) == 1
