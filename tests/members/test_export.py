"""The coordinators' CSV of members: only their network, safe in a spreadsheet, on record."""

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scope

from members.models import DecisionLogEntry
from members.services.export import spreadsheet_safe
from members.services.profiles import profile_update
from tests.conftest import make_user
from tests.members.factories import member

CSV = "/florence/manage/members.csv"
TRICKY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tfoo", "\rbar"]


def _rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_it_works(client, personas):
    client.force_login(personas.alice)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="florence-members-')
    assert "no-store" in response["Cache-Control"]
    rows = _rows(response)
    assert [r["email"] for r in rows] == ["alice@example.com", "bob@example.com"]
    assert rows[0]["card"] == "FL-000001"
    with scope(network=personas.florence):
        [entry] = DecisionLogEntry.objects.filter(action="exported")
    assert entry.actor == personas.alice and entry.note == "2 members"


@pytest.mark.django_db
def test_it_neutralises_formulas_and_parses_back(client, personas):
    for n, value in enumerate(TRICKY):
        user = make_user(f"tricky{n}@example.com", first_name=value, last_name="Rossi")
        profile_update(user=user, company=value)
        member(personas.florence, user, card=10 + n)
    client.force_login(personas.alice)
    rows = _rows(client.get(CSV))[2:]
    assert [r["first_name"] for r in rows] == [f"'{v}" for v in TRICKY]
    assert [r["company"] for r in rows] == [f"'{v}" for v in TRICKY]
    assert all(r["last_name"] == "Rossi" for r in rows)


def test_it_leaves_plain_values_alone():
    assert spreadsheet_safe("Rossi") == "Rossi"
    assert spreadsheet_safe("2026-01-31") == "2026-01-31"
    assert spreadsheet_safe(None) == ""


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    client.force_login(personas.charlie)
    assert client.get(CSV).status_code == 404
    rows = _rows(client.get(reverse("manage_members_csv", kwargs={"network_slug": "veneto"})))
    assert [r["email"] for r in rows] == ["charlie@example.com"]


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(CSV).status_code == 403
