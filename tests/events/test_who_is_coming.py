"""\"Who is coming\" on an event page: who sees the list, who is in it, the opt-in, budgets."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from events.models import Event, Registration
from events.services.events import event_cancel
from events.services.registrations import (
    registration_cancel,
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from members.models import Profile, User
from members.services.profiles import profile_update
from networks.models import Network
from tests.conftest import REQUEST_OVERHEAD, Personas, make_user
from tests.events.factories import make_event
from tests.members.factories import member, with_photo

pytestmark = pytest.mark.django_db
V = Event.Visibility
HEADING = "Chi partecipa"


def _url(name: str, event: Event, slug: str = "florence") -> str:
    return reverse(name, kwargs={"network_slug": slug, "event_id": event.pk})


def _register(event: Event, user: User, *, listed: bool) -> Registration:
    with scope(network=event.network):
        return registration_register(event=event, user=user, listed=listed)[0]


def _person(network: Network, first: str, last: str, card: int, **profile) -> User:
    user = make_user(f"{first.lower()}@example.com", first_name=first, last_name=last)
    profile_update(user=user, **profile)
    member(network, user, card=card)
    return user


@dataclass
class Evening:
    personas: Personas
    event: Event
    erin: User  # FlorenceIN, listed, with a photo
    frank: User  # FlorenceIN, listed, but his profile is hidden
    gina: User  # FlorenceIN, not listed
    walter: User  # VenetoIN, listed, with a photo shown to his own networks only


def _evening(personas: Personas, **event) -> Evening:
    florence, veneto = personas.florence, personas.veneto
    event.setdefault("visibility", V.PUBLIC)
    party = make_event(florence, by=personas.alice, capacity=20, **event)
    erin = _person(florence, "Erin", "Esposito", 10, company="Esposito Vini")
    frank = _person(florence, "Frank", "Fabbri", 11, visibility=Profile.Visibility.HIDDEN)
    gina = _person(florence, "Gina", "Galli", 12, company="Galli Srl")
    walter = _person(veneto, "Walter", "Zanon", 10, company="Zanon Legno")
    with_photo(erin)
    with_photo(walter)
    for person, listed in ((erin, True), (frank, True), (gina, False), (walter, True)):
        _register(party, person, listed=listed)
    with scope(network=florence):  # a guest without an account, confirmed by email
        guest = registration_register_guest(
            event=party, name="Ospite Esterno", email="ospite@example.com", company="Esterni"
        )
        assert guest is not None
        registration_confirm_guest(event=party, registration_id=guest.pk)
    party.refresh_from_db()
    return Evening(personas, party, erin, frank, gina, walter)


@pytest.fixture
def evening(personas) -> Evening:
    return _evening(personas)


def _coming(client, event: Event, slug: str = "florence"):
    response = client.get(_url("event_detail", event, slug))
    assert response.status_code == 200
    return response.context["who_is_coming"], response.content.decode()


def test_it_works(client, evening):
    client.force_login(evening.personas.bob)
    coming, body = _coming(client, evening.event)
    assert [(p.name, p.company) for p in coming.people] == [
        ("Erin Esposito", "Esposito Vini"),
        ("Walter Zanon", "Zanon Legno"),
    ]
    # Frank (hidden), Gina (not listed) and the guest: 3 more of 5 confirmed places.
    assert evening.event.confirmed_count == 5
    assert coming.others == 3
    assert HEADING in body and "e altre 3 persone" in body
    assert "Esposito Vini" in body and "Zanon Legno" in body
    for hidden in ("Frank", "Fabbri", "Gina", "Galli", "Ospite Esterno", "Esterni"):
        assert hidden not in body


def test_it_shows_each_photo_only_to_whom_the_profile_is_visible(client, evening):
    client.force_login(evening.personas.bob)
    coming, body = _coming(client, evening.event)
    erin, walter = coming.people
    # Erin shares FlorenceIN with Bob; Walter shows his profile to VenetoIN only: initials.
    assert erin.photo_url.startswith(f"/people/{evening.erin.pk}/photo/?v=")
    assert f'src="{erin.photo_url}"' in body
    assert client.get(erin.photo_url).status_code == 200
    assert walter.photo_url == ""
    assert re.search(r'<span class="avatar"\s+aria-hidden="true">WZ</span>', body)
    assert client.get(f"/people/{evening.walter.pk}/photo/").status_code == 404
    profile_update(user=evening.walter, visibility=Profile.Visibility.FEDERATION)
    walter = _coming(client, evening.event)[0].people[1]
    assert walter.photo_url.startswith(f"/people/{evening.walter.pk}/photo/?v=")
    assert client.get(walter.photo_url).status_code == 200


# Who sees the list of a public event organised by FlorenceIN: its members and coordinators.
SEES = {"anonymous": False, "dave": False, "fiona": False, "charlie": False, "bob": True,
        "alice": True}  # fmt: skip


def test_it_shows_the_list_to_members_of_the_host_networks_only(client, evening):
    for who, sees in SEES.items():
        client.logout()
        if who != "anonymous":
            client.force_login(getattr(evening.personas, who))
        coming, body = _coming(client, evening.event)
        assert (coming is not None) == sees, who
        assert (HEADING in body) == sees, who
        assert ("Esposito Vini" in body) == sees, who


def test_it_shows_the_list_to_a_co_host_s_members(client, personas):
    party = _evening(personas, cohosts=[personas.veneto])
    client.force_login(personas.charlie)
    for slug in ("florence", "veneto"):
        coming, _body = _coming(client, party.event, slug)
        assert [p.name for p in coming.people] == ["Erin Esposito", "Walter Zanon"]


def test_it_never_shows_the_list_to_a_registered_person_without_a_membership(client, evening):
    dave = evening.personas.dave
    _register(evening.event, dave, listed=True)
    client.force_login(dave)
    coming, body = _coming(client, evening.event)
    assert coming is None and HEADING not in body
    client.force_login(evening.personas.bob)  # Dave himself may be listed: he opted in
    assert "Dave Donati" in [p.name for p in _coming(client, evening.event)[0].people]


def test_it_leaves_me_out_of_my_own_list(client, evening):
    _register(evening.event, evening.personas.bob, listed=True)
    client.force_login(evening.personas.bob)
    coming, body = _coming(client, evening.event)
    assert "Bob Bellini" not in [p.name for p in coming.people]
    assert coming.others == 3  # my own place is not one of the "more"
    assert "Sei mostrato tra chi partecipa." in body
    client.force_login(evening.personas.alice)
    assert "Bob Bellini" in [p.name for p in _coming(client, evening.event)[0].people]


def test_it_never_lists_a_hidden_profile_whatever_the_registration_says(client, evening):
    profile_update(user=evening.erin, visibility=Profile.Visibility.HIDDEN)
    client.force_login(evening.personas.bob)
    coming, body = _coming(client, evening.event)
    assert [p.name for p in coming.people] == ["Walter Zanon"]
    assert "Esposito" not in body
    assert coming.others == 4


def test_it_lists_confirmed_places_only(client, personas):
    party = make_event(personas.florence, capacity=1)
    erin = _person(personas.florence, "Erin", "Esposito", 10)
    gina = _person(personas.florence, "Gina", "Galli", 12)
    first = _register(party, erin, listed=True)
    waiting = _register(party, gina, listed=True)
    assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(personas.bob)
    assert [p.name for p in _coming(client, party)[0].people] == ["Erin Esposito"]
    with scope(network=personas.florence):
        registration_cancel(registration=first)  # Gina gets the place, and the list
    coming, body = _coming(client, party)
    assert [p.name for p in coming.people] == ["Gina Galli"]
    assert coming.others == 0 and "more" not in body


def test_it_takes_the_person_off_the_list_when_they_cancel(client, evening):
    _register(evening.event, evening.personas.bob, listed=True)
    client.force_login(evening.personas.bob)
    assert client.post(_url("event_cancel_registration", evening.event)).status_code == 302
    client.force_login(evening.personas.alice)
    coming, _body = _coming(client, evening.event)
    assert "Bob Bellini" not in [p.name for p in coming.people]
    assert coming.others == 3


def test_it_says_so_when_nobody_chose_to_be_listed(client, personas):
    party = make_event(personas.florence)
    client.force_login(personas.bob)
    coming, body = _coming(client, party)
    assert (coming.people, coming.others) == ([], 0)
    assert "Nessun altro ha ancora un posto." in body
    _register(party, _person(personas.florence, "Gina", "Galli", 12), listed=False)
    nobody_listed = "1 persona ha un posto; nessuno ha ancora scelto di comparire."
    assert nobody_listed in _coming(client, party)[1]


def test_it_hides_the_list_of_a_past_or_cancelled_event(client, evening):
    client.force_login(evening.personas.bob)
    with time_machine.travel(evening.event.ends_at + timedelta(minutes=1)):
        coming, body = _coming(client, evening.event)
    assert coming is None and HEADING not in body
    assert _coming(client, evening.event)[0] is not None
    with scope(network=evening.personas.florence):
        event_cancel(event=evening.event)
    coming, body = _coming(client, evening.event)
    assert coming is None and HEADING not in body


# --- The opt-in: when registering, and a switch afterwards ------------------------------------
def test_it_asks_when_registering_and_is_off_by_default(client, personas):
    party = make_event(personas.florence)
    client.force_login(personas.bob)
    form = client.get(_url("event_detail", party)).context["member_form"]
    assert form["listed"].value() in (None, False)
    assert "Mostrami tra chi partecipa" in client.get(_url("event_detail", party)).content.decode()
    client.post(_url("event_register", party))
    client.force_login(personas.alice)
    client.post(_url("event_register", party), {"listed": "on"})
    with scope(network=personas.florence):
        listed = dict(Registration.objects.filter(event=party).values_list("user_id", "listed"))
    assert listed == {personas.bob.pk: False, personas.alice.pk: True}


def test_it_switches_an_existing_registration_in_and_out(client, evening):
    bob = evening.personas.bob
    mine = _register(evening.event, bob, listed=False)
    client.force_login(bob)
    url = _url("event_listing", evening.event)
    response = client.post(url, {"listed": "1"})
    assert response.status_code == 302 and response["Location"] == _url(
        "event_detail", evening.event
    )
    with scope(network=evening.personas.florence):
        mine.refresh_from_db()
    assert mine.listed is True
    response = client.post(url, {"next": "my_events"})  # the "hide me" button sends no "listed"
    assert response["Location"] == reverse("my_events")
    with scope(network=evening.personas.florence):
        mine.refresh_from_db()
    assert mine.listed is False
    assert client.get(url).status_code == 405


def test_it_offers_the_switch_on_my_events(client, evening):
    _register(evening.event, evening.personas.bob, listed=True)
    client.force_login(evening.personas.bob)
    body = client.get(reverse("my_events")).content.decode()
    assert f'action="{_url("event_listing", evening.event)}"' in body
    assert 'name="next" value="my_events"' in body
    assert "Non mostrarmi tra chi partecipa" in body


def test_it_changes_nothing_for_someone_not_registered(client, evening):
    client.force_login(evening.personas.alice)
    response = client.post(_url("event_listing", evening.event), {"listed": "1"})
    assert response.status_code == 302
    with scope(network=evening.personas.florence):
        assert not Registration.objects.filter(user=evening.personas.alice).exists()


def test_it_checks_the_network_and_the_login_for_the_switch(client, evening):
    mine = _register(evening.event, evening.personas.bob, listed=False)
    url = _url("event_listing", evening.event)
    assert "/accounts/login/" in client.post(url, {"listed": "1"})["Location"]
    network_event = make_event(evening.personas.florence, visibility=V.NETWORK)
    client.force_login(evening.personas.charlie)  # not his network's event: 404
    assert client.post(_url("event_listing", network_event), {"listed": "1"}).status_code == 404
    with scope(network=evening.personas.florence):
        mine.refresh_from_db()
    assert mine.listed is False


# --- Queries: one for the list, whatever its length -------------------------------------------
def _crowd(event: Event, count: int, start: int) -> None:
    for n in range(count):
        user = _person(event.network, f"Folla{start + n}", "Socio", start + n, company="Ditta")
        if n % 2:
            Profile.objects.filter(user=user).update(photo=f"photos/folla{n}.jpg")
        _register(event, user, listed=bool(n % 3))


@pytest.mark.parametrize("size", [2, 30])
def test_it_reads_who_is_coming_in_one_query(client, personas, size, django_assert_max_num_queries):
    party = make_event(personas.florence, capacity=None)
    _crowd(party, size, start=100)
    _register(party, personas.bob, listed=True)
    client.force_login(personas.bob)
    client.get("/florence/")  # warm the session
    # the event with its organiser, its hosts, my registration and its guests, who is coming
    with (
        django_assert_max_num_queries(REQUEST_OVERHEAD + 5),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(_url("event_detail", party))
    coming = response.context["who_is_coming"]
    assert len(coming.people) == sum(1 for n in range(size) if n % 3)
    assert coming.others == size - len(coming.people)
    with_photo_shown = [p for p in coming.people if p.photo_url]
    assert len(with_photo_shown) == sum(1 for n in range(size) if n % 3 and n % 2)
    sqls = [q["sql"] for q in queries.captured_queries]
    listing = [sql for sql in sqls if "events_registration" in sql and "members_profile" in sql]
    assert len(listing) == 1, listing
