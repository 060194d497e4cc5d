"""A real Celery worker process for integration tests, pointed at this run's database."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from clubin.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL pointed at the database pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def celery_worker(transactional_db, smtp_sink):
    celery_app.control.purge()  # stale messages from earlier runs would only add noise
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "OUTBOX_SCRUB_SECRETS": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "clubin", "worker", "--loglevel=WARNING",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--hostname=test-{os.getpid()}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting")
