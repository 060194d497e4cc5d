"""Registrations racing on PostgreSQL with real threads: capacity holds, one place per person.

The places are given under a lock on the event row, the counter moves with them and a check
constraint backs it. These tests hit that machinery from many connections at once: over HTTP
(each thread its own test client, as separate browsers would be), and through the services in
a storm of registrations and cancellations.
"""

import multiprocessing
import random
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from events.models import ACTIVE_STATUSES, Event, Registration
from events.services.registrations import registration_cancel, registration_register
from members.models import User
from networks.models import Network
from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import make_user, needs_postgres
from tests.events import spawned_click
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]
S = Registration.Status


def _members(network: Network, count: int, start: int = 100) -> list[User]:
    people = []
    for n in range(start, start + count):
        user = make_user(f"socio{n}@example.com", first_name=f"Socio{n}", last_name="Rossi")
        member(network, user, card=n)
        people.append(user)
    return people


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str) -> Callable[[], tuple[int, str, list[str]]]:
    """One click on "register": the status, where it leads, and the message levels shown."""

    def act():
        response = client.post(url)
        levels = [message.level_tag for message in get_messages(response.wsgi_request)]
        return response.status_code, response.get("Location", ""), levels

    return act


def _urls(network: Network, event: Event) -> tuple[str, str]:
    kwargs = {"network_slug": network.slug, "event_id": event.pk}
    return reverse("event_register", kwargs=kwargs), reverse("event_detail", kwargs=kwargs)


def _state(event: Event) -> tuple[int, Counter]:
    """The event's counter, and its registrations by status, as the database has them now."""
    with scopes_disabled():
        counter = Event.objects.values_list("confirmed_count", flat=True).get(pk=event.pk)
        statuses = Counter(
            Registration.objects.filter(event_id=event.pk).values_list("status", flat=True)
        )
    return counter, statuses


def _active_per_user(event: Event) -> Counter:
    with scopes_disabled():
        return Counter(
            Registration.objects.filter(event_id=event.pk, status__in=ACTIVE_STATUSES).values_list(
                "user_id", flat=True
            )
        )


def test_it_keeps_fifty_simultaneous_clicks_within_ten_places(personas):
    florence = personas.florence
    event = make_event(florence, capacity=10)
    people = _members(florence, 50)
    clients = [_client(person) for person in people]
    register_url, detail_url = _urls(florence, event)

    results = race(*(_post(client, register_url) for client in clients))

    errors = [r for r in results if not isinstance(r, tuple)]
    assert not errors, errors  # the test client re-raises a view's exception: no 500 got by
    outcomes = [r for r in results if isinstance(r, tuple)]
    assert {(status, location) for status, location, _ in outcomes} == {(302, detail_url)}
    # Each person was told what they got: a ticket for ten of them, the waitlist for the rest.
    told = Counter(tuple(levels) for _, _, levels in outcomes)
    assert told == {("success",): 10, ("warning",): 40}
    counter, statuses = _state(event)
    assert statuses == {S.CONFIRMED: 10, S.WAITLISTED: 40}
    assert counter == statuses[S.CONFIRMED]
    assert set(_active_per_user(event).values()) == {1}
    assert len(_active_per_user(event)) == 50
    # Whoever was told "confirmed" holds a confirmed place, and the others wait.
    with scopes_disabled():
        confirmed_users = set(
            Registration.objects.filter(event_id=event.pk, status=S.CONFIRMED).values_list(
                "user_id", flat=True
            )
        )
    told_confirmed = {
        person.pk
        for person, (_, _, levels) in zip(people, outcomes, strict=True)
        if levels == ["success"]
    }
    assert confirmed_users == told_confirmed
    assert OutboxEmail.objects.filter(template="event-ticket").count() == 10
    assert OutboxEmail.objects.filter(template="event-waitlisted").count() == 40


def test_it_keeps_the_books_straight_through_a_storm_of_registrations_and_cancellations(
    personas,
):
    florence = personas.florence
    capacity = 10
    event = make_event(florence, capacity=capacity)
    people = _members(florence, 30)
    threads, ops_each = 8, 25

    def storm(seed: int) -> Callable[[], list[tuple[str, object]]]:
        chance = random.Random(seed)  # the choices repeat; only the interleaving varies

        def act():
            done: list[tuple[str, object]] = []
            with scope(network=florence):
                for _ in range(ops_each):
                    person = chance.choice(people)
                    try:
                        if chance.random() < 0.55:
                            registration, created = registration_register(event=event, user=person)
                            done.append(("register", (registration.status, created)))
                        else:
                            mine = Registration.objects.filter(
                                event=event, user=person, status__in=ACTIVE_STATUSES
                            ).first()
                            promoted = (
                                [] if mine is None else registration_cancel(registration=mine)
                            )
                            done.append(("cancel", (mine is not None, len(promoted))))
                    except Exception as error:  # recorded: the storm must raise none
                        done.append(("error", error))
            return done

        return act

    results = race(*(storm(2026 + n) for n in range(threads)))

    assert not [r for r in results if not isinstance(r, list)], results
    done = [entry for ops in results if isinstance(ops, list) for entry in ops]
    assert len(done) == threads * ops_each
    assert not [value for kind, value in done if kind == "error"]
    counter, statuses = _state(event)
    assert counter == statuses[S.CONFIRMED] <= capacity
    assert max(_active_per_user(event).values(), default=0) <= 1
    if statuses[S.CONFIRMED] < capacity:
        assert statuses[S.WAITLISTED] == 0  # a freed place always goes to the waitlist
    # Everyone holding a place was sent a ticket, those promoted from the waitlist too.
    with scopes_disabled():
        confirmed_ids = list(
            Registration.objects.filter(event_id=event.pk, status=S.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
    tickets = set(
        OutboxEmail.objects.filter(template="event-ticket").values_list(
            "idempotency_key", flat=True
        )
    )
    assert {f"event-ticket:{pk}" for pk in confirmed_ids} <= tickets

    # The storm did reach the interesting paths: a full event, a waitlist, places handed on.
    registered = [value for kind, value in done if kind == "register"]
    assert (S.WAITLISTED, True) in registered
    assert any(created is False for _, created in registered)  # a second click found the first
    assert sum(promoted for kind, (_, promoted) in done if kind == "cancel") > 0


def test_it_makes_one_registration_of_a_double_click(personas):
    florence = personas.florence
    event = make_event(florence, capacity=10)
    register_url, detail_url = _urls(florence, event)
    # Several rounds, so the two clicks really overlap in at least some of them.
    for person in _members(florence, 8):
        first, second = _client(person), _client(person)
        results = race(_post(first, register_url), _post(second, register_url))
        outcomes = [r for r in results if isinstance(r, tuple)]
        assert len(outcomes) == 2, results
        assert {(status, location) for status, location, _ in outcomes} == {(302, detail_url)}
        told = sorted(tuple(levels) for _, _, levels in outcomes)
        assert told == [("info",), ("success",)]  # "already registered" for the second click
        with scopes_disabled():
            rows = list(Registration.objects.filter(event_id=event.pk, user=person))
        assert [row.status for row in rows] == [S.CONFIRMED]
    counter, statuses = _state(event)
    assert counter == statuses[S.CONFIRMED] == 8
    assert OutboxEmail.objects.filter(template="event-ticket").count() == 8


def test_it_keeps_clicks_from_separate_processes_within_capacity(personas, settings):
    """Twelve interpreters, four places: no lock in common but the event row's.

    Spawned rather than forked: the test process runs threads (live servers, browsers), and a
    fork would copy their locks mid-flight.
    """
    florence = personas.florence
    event = make_event(florence, capacity=4)
    clients = [_client(person) for person in _members(florence, 12)]
    cookies = [client.cookies[settings.SESSION_COOKIE_NAME].value for client in clients]
    register_url, detail_url = _urls(florence, event)
    context = multiprocessing.get_context("spawn")
    barrier, answers = context.Barrier(len(clients)), context.Queue()
    database = connection.settings_dict["NAME"]
    workers = [
        context.Process(
            target=spawned_click.click,
            args=(database, cookie, register_url, i, barrier, answers),
        )
        for i, cookie in enumerate(cookies)
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(answers.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)

    assert [index for index, *_ in outcomes] == list(range(len(clients)))
    assert not [outcome for outcome in outcomes if outcome[1] == 0], outcomes  # none raised
    assert {(status, location) for _, status, location, _ in outcomes} == {(302, detail_url)}
    told = Counter(tuple(levels) for *_, levels in outcomes)
    assert told == {("success",): 4, ("warning",): 8}
    counter, statuses = _state(event)
    assert statuses == {S.CONFIRMED: 4, S.WAITLISTED: 8}
    assert counter == statuses[S.CONFIRMED]
