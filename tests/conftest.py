"""Shared fixtures: personas in two networks, service switches, and an SMTP sink.

Personas follow healthchecks' alice/bob/charlie: Alice coordinates FlorenceIN, Bob is a member
of FlorenceIN, Charlie coordinates VenetoIN, Dave has an account and no membership, Fiona is
federation staff.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import override_settings
from django_scopes import scopes_disabled

from clubin import cache as fallback_cache
from clubin.celery import app as celery_app
from members.models import User
from networks.models import Membership, Network
from outbox import services as mail_services
from tests.smtp_sink import SmtpSink

PASSWORD = "correct horse battery staple"
# Queries every signed-in page inside a network makes before its own work: the session, the
# user, the network, the visitor's membership, and the "manage" entries of the menu. Budgets
# in the tests are written as REQUEST_OVERHEAD + the page's own queries.
REQUEST_OVERHEAD = 5


needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: set DATABASE_URL (SQLite cannot run concurrent writers)",
)
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis: set REDIS_URL to run a real Celery worker against it",
)

TESTS = Path(__file__).resolve().parent


def redis_url_for_worker(url: str, worker: str) -> str:
    """The Redis database a parallel worker (pytest-xdist's gw0, gw1, …) uses: the next ones
    after REDIS_URL's, since `cache.clear()` empties a whole database, not a key prefix."""
    if not url or not worker:
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    if number > 15:
        raise pytest.UsageError(f"REDIS_URL {url}: no Redis database {number} for {worker}")
    return urlunsplit(parts._replace(path=f"/{number}"))


REDIS_URL_GIVEN = os.environ.get("REDIS_URL", "")


def _own_redis_database() -> None:
    """Give this parallel worker its cache and broker in a Redis database of its own (and its
    subprocesses too, through the environment), so no worker clears another's cache."""
    url = REDIS_URL_GIVEN
    own = redis_url_for_worker(url, os.environ.get("PYTEST_XDIST_WORKER", ""))
    if own == url:
        return
    from django.conf import settings

    os.environ["REDIS_URL"] = own
    caches = {"default": {**settings.CACHES["default"], "LOCATION": own}}
    override_settings(REDIS_URL=own, CELERY_BROKER_URL=own, CACHES=caches).enable()
    celery_app.conf.update(broker_url=own)


_own_redis_database()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what may not run beside other tests: the browser journeys (`make e2e`) and the
    integration tests (real Celery workers sharing the broker, `make serve`); `make test` runs
    the rest in parallel, then the serial ones alone (see the Makefile)."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if folder == "e2e":
            item.add_marker(pytest.mark.e2e)
        elif folder == "integration":
            item.add_marker(pytest.mark.serial)


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_outside_the_work_tree(settings, _media_root):
    """Uploaded photos go to a temporary folder, never to the work tree's media/."""
    settings.MEDIA_ROOT = _media_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OUTBOX_MERGE_STRICT = True  # a merge placeholder left in any message fails the test
    cache.clear()  # allauth's rate limits live in the cache; each test starts with none used
    # An outage an earlier test simulated (broker or cache) is not this test's.
    mail_services._broker["down_until"] = 0.0
    fallback_cache._down_until.clear()
    # Unit tests run tasks in-process; integration tests turn the real broker back on.
    eager = "integration" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


def make_user(email: str, *, staff: bool = False, verified: bool = True, **names) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, is_staff=staff, **names)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@dataclass
class Personas:
    florence: Network
    veneto: Network
    alice: User  # coordinator of FlorenceIN
    bob: User  # member of FlorenceIN
    charlie: User  # coordinator of VenetoIN
    dave: User  # no membership
    fiona: User  # federation staff


@pytest.fixture
def personas(db) -> Personas:
    florence = Network.objects.create(
        slug="florence", name="FlorenceIN", region="Toscana", city="Firenze", status="active"
    )
    veneto = Network.objects.create(
        slug="veneto", name="VenetoIN", region="Veneto", city="Padova", status="active"
    )
    people = Personas(
        florence=florence,
        veneto=veneto,
        alice=make_user("alice@example.com", first_name="Alice", last_name="Arnolfi"),
        bob=make_user("bob@example.com", first_name="Bob", last_name="Bellini"),
        charlie=make_user("charlie@example.com", first_name="Charlie", last_name="Cortese"),
        dave=make_user("dave@example.com", first_name="Dave", last_name="Donati"),
        fiona=make_user("fiona@example.com", staff=True, first_name="Fiona", last_name="Fabbri"),
    )
    with scopes_disabled():
        Membership.objects.create(
            network=florence, user=people.alice, role="coordinator", card_number=1
        )
        Membership.objects.create(network=florence, user=people.bob, role="member", card_number=2)
        Membership.objects.create(
            network=veneto, user=people.charlie, role="coordinator", card_number=1
        )
    return people


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free port; Django's SMTP backend pointed at it."""
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()
