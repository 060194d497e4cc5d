"""`make run` on a fresh database says what a newcomer needs and nothing else: the demo logins,
last, with no line per background task and no traceback when a page answers 403."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demo.management.commands.load_demo import logins_text

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_ENV = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
VISIT = """
import django
django.setup()
from django.test import Client
from members.models import User
client = Client(raise_request_exception=False)
client.force_login(User.objects.get(email="socio.firenze@clubin.example"))
print(client.get("/florence/manage/").status_code, client.get("/veneto/manage/").status_code)
"""


def _recipe() -> list[str]:
    """The shell lines of the Makefile's `run` target, up to the server itself."""
    makefile = (ROOT / "Makefile").read_text()
    body = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert body is not None
    lines = [line.strip().lstrip("@") for line in body.group(1).splitlines()]
    python = f"'{sys.executable}'"
    return [line.replace("$(BIN)/python", python) for line in lines if "runserver" not in line]


@pytest.fixture
def newcomer(tmp_path) -> dict[str, str]:
    """The environment of a fresh clone: no services, a database of its own."""
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_ENV}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORT": "8000"}


def test_it_prints_the_demo_logins_last_and_nothing_more(newcomer):
    said = ""
    for line in _recipe():
        if line.startswith("echo"):
            continue  # make's own words
        done = subprocess.run(
            ["bash", "-c", line], cwd=ROOT, env=newcomer, capture_output=True, text=True,
            timeout=300, check=True,
        )  # fmt: skip
        said += done.stdout + done.stderr
    assert said == logins_text() + "\n"
    assert "load_demo_events" in " ".join(_recipe())  # the whole demo was loaded, events too

    visit = subprocess.run(
        [sys.executable, "-c", VISIT], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**newcomer, "DJANGO_SETTINGS_MODULE": "clubin.settings"}, check=True,
    )  # fmt: skip
    assert visit.stdout.split() == ["403", "404"]
    assert visit.stderr == ""  # no warning, no traceback: the access log has the status
