"""One-to-ones and "we met" after an event, end to end, with mail from the outbox."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection as db
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from events.models import Event, Registration
from members.models import Profile
from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import REQUEST_OVERHEAD, make_user, needs_postgres
from tests.events.factories import make_event
from tests.members.factories import member
from ties.models import Connection, EventListing, EventMeet, Introduction, OneToOne, Origin
from ties.services.meetings import event_meet_mark


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


NEW = reverse("ties_one_to_one_new", kwargs={"network_slug": "florence"})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _record(client, p, *, other, met_on, note="Caffè da Gilli") -> HttpResponse:
    client.force_login(p.alice)
    return client.post(NEW, {"other": other.pk, "met_on": met_on.isoformat(), "note": note})


def _meetings() -> list[OneToOne]:
    with scopes_disabled():
        return list(OneToOne.objects.all())


def _confirm_url(meeting: OneToOne) -> str:
    return reverse("ties_one_to_one_confirm", kwargs={"one_to_one_id": meeting.pk})


def test_it_records_a_one_to_one_the_other_side_confirms(client, personas):
    personas.bob.language = "it"
    personas.bob.save()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert _record(client, personas, other=personas.bob, met_on=yesterday).status_code == 302
    _record(client, personas, other=personas.bob, met_on=yesterday)  # a double click
    [meeting] = _meetings()
    [email] = OutboxEmail.objects.filter(template="ties-one-to-one")
    assert email.to == "bob@example.com" and "Ciao Bob," in email.body_text
    assert "Alice Arnolfi" in email.body_text and "Caffè da Gilli" in email.body_text
    assert "/me/" in email.body_text
    assert not Connection.objects.exists()

    client.force_login(personas.alice)  # the recorder cannot confirm for the other side
    assert client.post(_confirm_url(meeting)).status_code == 404

    client.force_login(personas.bob)
    page = client.get(reverse("members:me")).content.decode()
    assert "One-to-ones to confirm" in page and "Alice Arnolfi says you met" in page
    response = client.post(_confirm_url(meeting))
    assert "Confirmed: you are now connected." in _messages(response)
    client.post(_confirm_url(meeting))  # a double click
    connection = Connection.objects.get()
    assert connection.origin == Origin.ONE_TO_ONE and connection.network == personas.florence
    assert "One-to-ones to confirm" not in client.get(reverse("members:me")).content.decode()


def test_it_limits_how_many_one_to_ones_a_member_records(client, personas, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ties_one_to_one": "1/h/user"}
    yesterday = timezone.localdate() - timedelta(days=1)
    assert _record(client, personas, other=personas.bob, met_on=yesterday).status_code == 302
    again = _record(client, personas, other=personas.bob, met_on=yesterday - timedelta(days=1))
    assert "recorded many one-to-ones in a short time" in again.content.decode()
    assert len(_meetings()) == 1
    assert OutboxEmail.objects.filter(template="ties-one-to-one").count() == 1


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (1, "A meeting you record has already happened."),
        (-365 * 200, "Enter a date between"),
    ],
)
def test_it_refuses_a_date_in_the_future_or_out_of_range(client, personas, days, error):
    met_on = timezone.localdate() + timedelta(days=days)
    response = _record(client, personas, other=personas.bob, met_on=met_on)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not _meetings()


def test_it_offers_only_visible_members_of_the_same_network(client, personas):
    hidden = make_user("hidden@example.com", first_name="Nascosto")
    member(personas.florence, hidden, card=7)
    Profile.objects.create(user=hidden, visibility=Profile.Visibility.HIDDEN)
    client.force_login(personas.alice)
    page = client.get(NEW).content.decode()
    assert "Bob Bellini" in page
    assert "Nascosto" not in page and "Charlie" not in page  # hidden; another network
    response = _record(client, personas, other=personas.charlie, met_on=timezone.localdate())
    assert response.status_code == 200
    response = _record(client, personas, other=hidden, met_on=timezone.localdate())
    assert response.status_code == 200
    assert not _meetings()


@pytest.mark.parametrize(("who", "status"), [("dave", 404), ("charlie", 404), ("bob", 200)])
def test_it_opens_the_one_to_one_form_to_the_networks_members(client, personas, who, status):
    client.force_login(getattr(personas, who))
    assert client.get(NEW).status_code == status


# "We met" after an event.


def _started_event(personas) -> Event:
    event = make_event(personas.florence, by=personas.alice)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
        event.refresh_from_db()
    return event


def _register(event: Event, user, *, checked_in: bool = True) -> Registration:
    with scopes_disabled():
        return Registration.objects.create(
            event=event,
            user=user,
            name=user.get_full_name(),
            email=user.email,
            status=Registration.Status.CONFIRMED,
            ticket_code=f"T{event.pk}-{user.pk}",
            confirmed_at=timezone.now(),
            checked_in_at=timezone.now() if checked_in else None,
        )


def _met(event: Event, action: str = "") -> str:
    name = f"ties_event_{action}" if action else "ties_event_met"
    return reverse(name, kwargs={"network_slug": "florence", "event_id": event.pk})


@pytest.fixture
def evening(personas):
    """An event that started an hour ago: Alice and Bob were checked in, Erica registered only."""
    event = _started_event(personas)
    erica = make_user("erica@example.com", first_name="Erica", last_name="Esposito")
    member(personas.florence, erica, card=3)
    for user in (personas.alice, personas.bob):
        _register(event, user)
    _register(event, erica, checked_in=False)
    personas.event, personas.erica = event, erica
    return personas


def test_it_connects_two_people_who_mark_each_other(client, evening):
    event = evening.event
    client.force_login(evening.bob)
    page = client.get(
        reverse("event_detail", kwargs={"network_slug": "florence", "event_id": event.pk})
    )
    assert _met(event) in page.content.decode()  # the event page links the "we met" page
    page = client.get(_met(event)).content.decode()
    assert "Nobody else who came is listed yet." in page  # Alice has not opted in
    assert "Alice" not in page
    client.post(_met(event, "listing"), {"listed": "1"})

    client.force_login(evening.alice)
    client.post(_met(event, "listing"), {"listed": "1"})
    page = client.get(_met(event)).content.decode()
    assert "Bob Bellini" in page and "Erica" not in page  # Erica was not checked in
    response = client.post(_met(event, "mark"), {"user": evening.bob.pk})
    assert "Noted. If they say so too, you will be connected." in _messages(response)
    assert not Connection.objects.exists()

    client.force_login(evening.bob)
    response = client.post(_met(event, "mark"), {"user": evening.alice.pk})
    assert "You met each other: you are now connected." in _messages(response)
    client.post(_met(event, "mark"), {"user": evening.alice.pk})  # a double click
    connection = Connection.objects.get()
    assert connection.origin == Origin.EVENT and connection.event_id == event.pk
    assert EventMeet.objects.count() == 2
    assert OutboxEmail.objects.count() == 0  # marks send no email


def test_it_lists_nobody_who_did_not_opt_in_or_is_hidden(client, evening):
    event = evening.event
    EventListing.objects.create(event=event, user=evening.alice)
    Profile.objects.create(user=evening.alice, visibility=Profile.Visibility.HIDDEN)
    client.force_login(evening.bob)
    assert "Alice" not in client.get(_met(event)).content.decode()
    response = client.post(_met(event, "mark"), {"user": evening.alice.pk})
    assert "This person is not listed among those who came." in _messages(response)
    assert not EventMeet.objects.exists()


def test_it_opens_the_page_only_to_people_checked_in_once_it_started(client, evening):
    event = evening.event
    for outsider in (evening.erica, evening.dave, evening.charlie):  # registered only; none
        client.force_login(outsider)
        assert client.get(_met(event)).status_code == 404
        assert client.post(_met(event, "mark"), {"user": evening.bob.pk}).status_code == 404
    client.force_login(evening.bob)
    assert client.get(_met(event)).status_code == 200
    veneto = reverse("ties_event_met", kwargs={"network_slug": "veneto", "event_id": event.pk})
    assert client.get(veneto).status_code == 404  # not VenetoIN's event
    assert client.post(_met(event, "mark"), {"user": "x"}).status_code == 404
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() + timedelta(days=1))
    assert client.get(_met(event)).status_code == 404  # not started yet
    assert not EventMeet.objects.exists()


def test_it_refuses_a_mark_for_someone_not_checked_in(client, evening):
    event = evening.event
    EventListing.objects.create(event=event, user=evening.erica)  # listed, never checked in
    client.force_login(evening.bob)
    response = client.post(_met(event, "mark"), {"user": evening.erica.pk})
    assert "Only people checked in at the event can say they met." in _messages(response)
    assert not EventMeet.objects.exists()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_makes_one_connection_when_both_mark_each_other_at_once(evening):
    event = evening.event
    for user in (evening.alice, evening.bob):
        EventListing.objects.create(event=event, user=user)
    clients = {}
    for user in (evening.alice, evening.bob):
        client = Client()
        client.force_login(user)
        clients[user.pk] = client
    url = _met(event, "mark")

    def mark(me, other) -> Callable[[], int]:
        return lambda: clients[me.pk].post(url, {"user": other.pk}).status_code

    for _attempt in range(5):  # the race is narrow: run it a few times from scratch
        EventMeet.objects.all().delete()
        Connection.objects.all().delete()
        results = race(
            mark(evening.alice, evening.bob),
            mark(evening.bob, evening.alice),
            mark(evening.alice, evening.bob),  # and a double click
        )
        assert results == [302, 302, 302]
        assert EventMeet.objects.count() == 2
        connection = Connection.objects.get()
        assert connection.origin == Origin.EVENT and connection.event_id == event.pk


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_confirms_a_one_to_one_once_under_simultaneous_clicks(personas):
    with scopes_disabled():
        meeting = OneToOne.objects.create(
            network=personas.florence,
            recorded_by=personas.alice,
            other=personas.bob,
            met_on=timezone.localdate(),
        )
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(personas.bob)

    def click(client: Client) -> Callable[[], int]:
        return lambda: client.post(_confirm_url(meeting)).status_code

    assert race(*(click(client) for client in clients)) == [302] * 4
    assert Connection.objects.get().origin == Origin.ONE_TO_ONE


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_never_misses_a_returned_mark_when_both_mark_at_the_same_instant(evening):
    """Service-level, many rounds: the window between a mark and reading the other's is narrow."""
    event, alice, bob = evening.event, evening.alice, evening.bob
    for user in (alice, bob):
        EventListing.objects.create(event=event, user=user)
    for _attempt in range(30):
        EventMeet.objects.all().delete()
        Connection.objects.all().delete()
        results = race(
            lambda: event_meet_mark(
                event=event, network=evening.florence, from_user=alice, to_user=bob
            ),
            lambda: event_meet_mark(
                event=event, network=evening.florence, from_user=bob, to_user=alice
            ),
        )
        assert sorted(map(str, results)) == ["False", "True"]  # exactly one saw the other's
        assert Connection.objects.count() == 1


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(db) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_reads_me_and_the_we_met_page_in_a_fixed_number_of_queries(client, evening):
    """/me/ with one-to-ones and introductions waiting, and the "we met" page, at two sizes."""
    event, bob = evening.event, evening.bob
    EventListing.objects.create(event=event, user=evening.alice)
    client.force_login(bob)
    me_counts, met_counts = [], []
    for size in (3, 30):
        with scopes_disabled():
            while OneToOne.objects.count() < size:
                n = OneToOne.objects.count()
                other = make_user(f"size{n}@example.com", first_name=f"Persona{n}")
                member(evening.florence, other, card=100 + n)
                _register(event, other)
                EventListing.objects.create(event=event, user=other)
                EventMeet.objects.create(event=event, from_user=bob, to_user=other)
                OneToOne.objects.create(
                    network=evening.florence,
                    recorded_by=other,
                    other=bob,
                    met_on=timezone.localdate(),
                )
                Introduction.objects.create(
                    network=evening.florence, introducer=other, first=bob, second=evening.alice
                )
        me_counts.append(_page_queries(client, reverse("members:me")))
        met_counts.append(_page_queries(client, _met(event)))
    page = client.get(_met(event)).content.decode()
    assert page.count("you said you met") == 30
    assert me_counts[0] == me_counts[1]
    assert met_counts[0] == met_counts[1] == REQUEST_OVERHEAD + 6
