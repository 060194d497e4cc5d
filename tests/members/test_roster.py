"""The coordinator's workspace: the home's cards and the roster (search, filters, paging)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from members.services.profiles import profile_update
from networks.models import Membership
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.events.factories import make_event
from tests.members.factories import applicant, application, member

ROSTER = "/florence/manage/members/"
HOME = "/florence/manage/"
TODAY = date(2026, 11, 10)


def _membership(network, user) -> Membership:
    with scope(network=network):
        return Membership.objects.get(user=user)


def _set(membership: Membership, **fields) -> Membership:
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    return membership


def _renew_url(membership: Membership) -> str:
    return reverse(
        "manage_membership_renew",
        kwargs={"network_slug": "florence", "membership_id": membership.pk},
    )


def _names(response) -> list[str]:
    return [m.user.get_full_name() for m in response.context["memberships"]]


def _members(network, count: int, start: int = 3) -> list[Membership]:
    return [
        member(network, applicant(n), card=n, valid_until=TODAY)
        for n in range(start, start + count)
    ]


# --- Access ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_checks_network(client, personas):
    client.force_login(personas.charlie)
    assert client.get(ROSTER).status_code == 404
    assert client.get(HOME).status_code == 404


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(ROSTER).status_code == 403
    assert client.get(HOME).status_code == 403


# --- The roster ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_shows_the_card_number_as_printed(client, personas):
    personas.florence.card_prefix = "FI"
    personas.florence.save()
    client.force_login(personas.alice)
    body = client.get(ROSTER).content.decode()
    assert "FI-000001" in body and "FI-000002" in body
    assert ">1<" not in body.replace(" ", "").replace("\n", "")


@pytest.mark.django_db
def test_it_searches_by_name_email_and_company(client, personas):
    profile_update(user=personas.bob, company="Vetreria Bellini", sector="design", city="Prato")
    carla = make_user("carla@studio-rossi.it", first_name="Carla", last_name="Rossi")
    member(personas.florence, carla, card=3)  # no profile at all: found by name and email
    client.force_login(personas.alice)
    assert _names(client.get(ROSTER, {"q": "vetreria"})) == ["Bob Bellini"]
    assert _names(client.get(ROSTER, {"q": "ROSSI"})) == ["Carla Rossi"]
    assert _names(client.get(ROSTER, {"q": "studio-rossi"})) == ["Carla Rossi"]
    assert _names(client.get(ROSTER, {"q": "bob bellini"})) == ["Bob Bellini"]
    assert _names(client.get(ROSTER, {"q": "nobody"})) == []


@pytest.mark.django_db
def test_it_filters_by_status_sector_and_renewal_due(client, personas):
    profile_update(user=personas.bob, company="B", sector="legal", city="Prato")
    _set(_membership(personas.florence, personas.bob), valid_until=TODAY + timedelta(days=20))
    _set(_membership(personas.florence, personas.alice), valid_until=TODAY + timedelta(days=200))
    lapsed = member(personas.florence, applicant(7), card=3, status="lapsed", valid_until=TODAY)
    client.force_login(personas.alice)
    with time_machine.travel(TODAY, tick=False):
        assert _names(client.get(ROSTER, {"status": "lapsed"})) == [lapsed.user.get_full_name()]
        assert _names(client.get(ROSTER, {"sector": "legal"})) == ["Bob Bellini"]
        due = _names(client.get(ROSTER, {"renewal": "due"}))
    assert due == ["Bob Bellini", lapsed.user.get_full_name()]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"}, {"sector": "<script>"}, {"renewal": "maybe"},
        {"q": "x" * 500}, {"q": "a\x00b"}, {"after": "%%%"}, {"after": "W10"},
        {"status": ["active", "lapsed"]},
    ],
)  # fmt: skip
def test_it_ignores_bad_filters(client, personas, query):
    client.force_login(personas.alice)
    response = client.get(ROSTER, query)
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_pages_and_keeps_the_filters(client, personas, monkeypatch):
    monkeypatch.setattr("members.selectors.roster.ROSTER_PAGE_SIZE", 2)
    _members(personas.florence, 3)  # Alice, Bob and three more: three pages of two
    client.force_login(personas.alice)
    seen, response = [], client.get(ROSTER, {"status": "active"})
    while True:
        seen += _names(response)
        if not response.context["next_page_query"]:
            break
        assert "status=active" in response.context["next_page_query"]
        response = client.get(f"{ROSTER}?{response.context['next_page_query']}")
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.django_db
def test_it_offers_renewal_only_where_due(client, personas):
    bob = _set(_membership(personas.florence, personas.bob), valid_until=TODAY + timedelta(days=30))
    alice = _set(
        _membership(personas.florence, personas.alice), valid_until=TODAY + timedelta(days=31)
    )
    client.force_login(personas.alice)
    with time_machine.travel(TODAY, tick=False):
        body = client.get(ROSTER).content.decode()
        assert f'action="{_renew_url(bob)}"' in body
        assert f'action="{_renew_url(alice)}"' not in body
        # The service keeps to the same rule: Alice's card is not due, so nothing changes.
        client.post(_renew_url(alice))
    alice.refresh_from_db()
    assert alice.valid_until == TODAY + timedelta(days=31)


@pytest.mark.django_db
def test_it_marks_a_card_in_grace_and_renews_it(client, personas):
    bob = _set(_membership(personas.florence, personas.bob), valid_until=TODAY - timedelta(days=3))
    client.force_login(personas.alice)
    with time_machine.travel(TODAY, tick=False):
        body = client.get(ROSTER, {"q": "bob"}).content.decode()
        assert "nel periodo di tolleranza" in body and f'action="{_renew_url(bob)}"' in body
        response = client.post(_renew_url(bob), {"back": "q=bob&renewal=due"})
    assert response["Location"] == f"{ROSTER}?q=bob&renewal=due"
    bob.refresh_from_db()
    assert bob.valid_until == date(2026, 12, 31)


@pytest.mark.django_db
def test_it_keeps_the_way_back_on_this_site(client, personas):
    bob = _set(_membership(personas.florence, personas.bob), status="lapsed")
    client.force_login(personas.alice)
    response = client.post(_renew_url(bob), {"back": "//evil.example/?x=1"})
    assert response["Location"].startswith(ROSTER + "?")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_it_keeps_the_roster_queries_flat(client, personas, size, django_assert_max_num_queries):
    for m in _members(personas.florence, size):
        profile_update(user=m.user, company=f"Azienda {m.pk}", sector="ict", city="Firenze")
    client.force_login(personas.alice)
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 2):  # page, count
        response = client.get(ROSTER)
    assert response.status_code == 200
    assert len(response.context["memberships"]) == min(size + 2, 50)


# --- The home --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_shows_what_needs_doing(client, personas):
    application(personas.florence, applicant(1))
    application(personas.florence, applicant(2), submitted_at=timezone.now() - timedelta(days=20))
    _set(
        _membership(personas.florence, personas.bob),
        valid_until=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(personas.alice)
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 in attesa da più di 14 giorni" in body
    assert "1 tessera in scadenza nei prossimi 30 giorni" in body
    assert reverse("manage_applications", kwargs={"network_slug": "florence"}) in body
    assert f"{ROSTER}?renewal=due" in body
    assert "Nessun evento in programma." in body


@pytest.mark.django_db
def test_it_shows_the_next_event_with_its_places(client, personas):
    make_event(personas.florence, by=personas.alice, title="Cena di Natale", capacity=40)
    make_event(
        personas.florence,
        by=personas.alice,
        title="Later",
        starts_at=timezone.now() + timedelta(days=40),
    )
    make_event(
        personas.florence,
        by=personas.alice,
        title="Draft",
        publish=False,
        starts_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(personas.alice)
    body = client.get(HOME).content.decode()
    assert "Cena di Natale" in body and "0 posti occupati su 40" in body
    assert "Later" not in body and "Draft" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_it_keeps_the_home_queries_flat(client, personas, size, django_assert_max_num_queries):
    _members(personas.florence, size)
    for n in range(100, 100 + size):
        application(personas.florence, applicant(n))
    make_event(personas.florence, by=personas.alice)
    client.force_login(personas.alice)
    # members, applications, renewals, next event, unconnected
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 5):
        assert client.get(HOME).status_code == 200
