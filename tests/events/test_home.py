"""The home page for a signed-in person: their networks, their next events and what waits for
them; anonymous visitors keep the federation's home."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from events.models import Event
from events.services.registrations import registration_cancel, registration_register
from members.models import MembershipApplication
from networks.models import Membership, Network
from tests.conftest import make_user
from tests.events.factories import make_event
from tests.members.factories import applicant, application, applications, member
from ties.models import Origin
from ties.services.connections import connection_make
from ties.services.introductions import introduction_make
from ties.services.meetings import one_to_one_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _register(person, event: Event) -> None:
    with scope(network=event.network):
        registration_register(event=event, user=person)


def test_it_keeps_the_federation_home_for_anonymous_visitors(client, personas):
    make_event(personas.veneto, title="Serata aperta", visibility=Event.Visibility.PUBLIC)
    response = client.get("/")
    assert response.templates[0].name == "networks/home.html"
    body = response.content.decode()
    assert "Serata aperta" in body and "FlorenceIN" in body and "VenetoIN" in body
    assert "To do" not in body


def test_it_shows_a_coordinator_the_applications_waiting_in_each_network(client, personas):
    applications(personas.florence, 3)
    application(personas.florence, applicant(7), status=MembershipApplication.Status.REJECTED)
    applications(personas.veneto, 2, start=10)  # Charlie's, not Alice's
    client.force_login(personas.alice)
    body = client.get("/").content.decode()
    assert "3 applications wait for a decision in FlorenceIN" in body
    assert 'href="/florence/manage/applications/"' in body
    assert "VenetoIN" not in body.split("My networks")[0]  # no task from another network
    client.force_login(personas.bob)  # a member of FlorenceIN decides nothing
    body = client.get("/").content.decode()
    assert "wait for a decision" not in body and "/manage/" not in body


def test_it_shows_my_networks_with_my_role_and_card(client, personas):
    member(personas.veneto, personas.bob, card=5)
    client.force_login(personas.bob)
    response = client.get("/")
    assert [m.network.slug for m in response.context["memberships"]] == ["florence", "veneto"]
    body = response.content.decode()
    assert "FL-000002" in body and "VE-000005" in body and "Member" in body
    assert response.context["other_networks"] == []
    client.force_login(personas.alice)
    body = client.get("/").content.decode()
    assert "Coordinator" in body and 'href="/florence/manage/"' in body


def test_it_shows_my_next_events_and_not_those_of_others(client, personas):
    soon = make_event(personas.florence, title="Aperitivo di maggio", capacity=1)
    full = make_event(personas.florence, title="Cena piena", capacity=1)
    later = make_event(
        personas.veneto,
        title="Serata veneta",
        starts_at=timezone.now() + timedelta(days=40),
        visibility=Event.Visibility.PUBLIC,
    )
    gone = make_event(personas.florence, title="Annullata")
    _register(personas.bob, soon)
    _register(personas.alice, full)
    _register(personas.bob, full)  # waitlisted
    _register(personas.bob, later)
    _register(personas.bob, gone)
    with scope(network=personas.florence):
        registration_cancel(registration=gone.registrations.get(user=personas.bob))
    client.force_login(personas.bob)
    body = client.get("/").content.decode()
    titles = ["Aperitivo di maggio", "Cena piena", "Serata veneta"]
    assert all(t in body for t in titles) and "Annullata" not in body
    assert "On the waitlist, #1" in body
    # A public event I booked is not offered again below.
    assert body.count("Serata veneta") == 1
    client.force_login(personas.dave)
    body = client.get("/").content.decode()
    assert "You have no place booked" in body and "Aperitivo di maggio" not in body


def test_it_shows_introductions_and_one_to_ones_waiting_for_me(client, personas):
    erica = make_user("erica@example.com", first_name="Erica", last_name="Esposito")
    member(personas.florence, erica, card=3)
    with scope(network=personas.florence):
        for person in (personas.bob, erica):
            connection_make(user_a=personas.alice, user_b=person, origin=Origin.ASK)
        introduction_make(
            network=personas.florence, introducer=personas.alice, first=personas.bob,
            second=erica, note="",
        )  # fmt: skip
        one_to_one_record(
            network=personas.florence, recorded_by=erica, other=personas.bob,
            met_on=timezone.localdate(), note="",
        )  # fmt: skip
    client.force_login(personas.bob)
    body = client.get("/").content.decode()
    assert "An introduction from Alice Arnolfi waits for your answer" in body
    assert "Erica Esposito says you met on" in body
    client.force_login(personas.alice)
    body = client.get("/").content.decode()
    assert "waits for your answer" not in body and "says you met" not in body


def test_it_shows_my_open_application_and_the_networks_to_join(client, personas):
    application(personas.florence, personas.dave)
    client.force_login(personas.dave)
    response = client.get("/")
    body = response.content.decode()
    assert "Your application to FlorenceIN: pending" in body
    assert "You are not a member of any network yet" in body
    assert {n.slug for n in response.context["other_networks"]} == {"florence", "veneto"}


def test_it_says_when_nothing_waits(client, personas):
    client.force_login(personas.charlie)
    assert "Nothing waits for you." in client.get("/").content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_it_keeps_the_home_flat(client, personas, size, django_assert_max_num_queries):
    for n in range(size):
        network = Network.objects.create(slug=f"rete{n}", name=f"Rete {n}", region="R", city="C")
        with scopes_disabled():
            Membership.objects.create(
                network=network, user=personas.alice, role="coordinator", card_number=1
            )
        application(network, applicant(n))
        event = make_event(network, visibility=Event.Visibility.PUBLIC)
        _register(personas.alice, event)
    client.force_login(personas.alice)
    # session, user, memberships, applications waiting, next places, public events, my
    # applications, networks, introductions and one-to-ones (ties), the menu's manage entries
    with django_assert_max_num_queries(11):
        response = client.get("/")
    assert len(response.context["applications_waiting"]) == size
    assert len(response.context["registrations"]) == min(size, 3)
