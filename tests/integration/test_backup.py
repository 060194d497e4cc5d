"""A backup that was never restored is a hope: dump a seeded database with pg_dump, restore it
into a new one with pg_restore, and read the same figures from the dashboard export there."""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django_scopes import scope

from clubin.stats.services import stats_rebuild
from events.services.checkin import checkin_registration
from events.services.registrations import registration_register
from tests.events.factories import make_event
from tests.integration.conftest import ROOT
from tests.members.factories import applications

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: pg_dump and pg_restore back up a PostgreSQL database",
)
pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "import json; from django.test import Client; from members.models import User; "
    "c = Client(); c.force_login(User.objects.get(email='fiona@example.com')); "
    "print(json.dumps(json.loads(c.get('/federation/stats.json?period=90d').content)))"
)


def _url(database: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + database))


def _figures(database: str) -> dict:
    env = {**os.environ, "DATABASE_URL": _url(database), "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", EXPORT],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    payload = json.loads(out.stdout.strip().splitlines()[-1])
    payload.pop("generated_at")
    return payload


def test_it_restores_a_dump_with_the_same_figures(personas, tmp_path):
    applications(personas.florence, 3)
    event = make_event(personas.florence, capacity=5)
    with scope(network=personas.florence):
        ticket, _created = registration_register(event=event, user=personas.bob)
        checkin_registration(event=event, registration_id=ticket.pk, by=personas.alice)
    stats_rebuild()
    source = connection.settings_dict["NAME"]
    before = _figures(source)
    assert before["totals"]["applications"] == 3
    assert before["totals"]["members_active"] == 3

    params = connection.get_connection_params()
    target = f"{source}_restored"
    client = ["-h", params.get("host", "127.0.0.1"), "-U", params.get("user", "postgres")]
    dump = tmp_path / "clubin.dump"
    subprocess.run(["pg_dump", *client, "-Fc", "-f", str(dump), source], check=True)
    subprocess.run(["dropdb", *client, "--if-exists", target], check=True)
    subprocess.run(["createdb", *client, target], check=True)
    try:
        subprocess.run(
            ["pg_restore", *client, "--no-owner", "--exit-on-error", "-d", target, str(dump)],
            check=True,
        )
        after = _figures(target)
    finally:
        subprocess.run(["dropdb", *client, "--if-exists", target], check=True)
    assert after == before
