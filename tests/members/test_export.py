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


@pytest.fixture
def client(client):
    """The coordinator reads English pages: the file's headers follow (Italian: see below)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


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
    assert [r["Email"] for r in rows] == ["alice@example.com", "bob@example.com"]
    assert rows[0]["Card"] == "FL-000001"
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
    assert [r["First name"] for r in rows] == [f"'{v}" for v in TRICKY]
    assert [r["Company"] for r in rows] == [f"'{v}" for v in TRICKY]
    assert all(r["Last name"] == "Rossi" for r in rows)


def test_it_leaves_plain_values_alone():
    assert spreadsheet_safe("Rossi") == "Rossi"
    assert spreadsheet_safe("2026-01-31") == "2026-01-31"
    assert spreadsheet_safe(None) == ""


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    client.force_login(personas.charlie)
    assert client.get(CSV).status_code == 404
    rows = _rows(client.get(reverse("manage_members_csv", kwargs={"network_slug": "veneto"})))
    assert [r["Email"] for r in rows] == ["charlie@example.com"]


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(CSV).status_code == 403


@pytest.mark.django_db
def test_it_writes_headers_sectors_and_statuses_in_the_coordinators_language(client, personas):
    profile_update(user=personas.bob, company="Bellini srl", sector="consulting", city="Prato")
    client.force_login(personas.alice)
    english = _rows(client.get(CSV))
    assert list(english[0]) == [
        "Card", "First name", "Last name", "Email", "Company", "Role", "Sector", "City",
        "Status", "Joined on", "Valid until",
    ]  # fmt: skip
    assert english[1]["Sector"] == "Consulting" and english[1]["Status"] == "active"
    assert english[1]["Card"] == "FL-000002" and english[1]["City"] == "Prato"
    italian = _rows(client.get(CSV, HTTP_ACCEPT_LANGUAGE="it"))
    assert list(italian[0])[:4] == ["Tessera", "Nome", "Cognome", "Email"]
    assert italian[1]["Settore"] == "Consulenza" and italian[1]["Stato"] == "attivo"
    assert italian[0]["Settore"] == ""  # no sector given: an empty cell, not a code


@pytest.mark.django_db
def test_it_prints_the_card_with_each_networks_prefix(client, personas):
    personas.veneto.card_prefix = "VE"
    personas.veneto.save()
    client.force_login(personas.charlie)
    rows = _rows(client.get(reverse("manage_members_csv", kwargs={"network_slug": "veneto"})))
    assert [r["Card"] for r in rows] == ["VE-000001"]
