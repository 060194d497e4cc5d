"""The day-before reminder: one per confirmed place, once, from the organising network."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope

from events import tasks
from events.models import Event, Registration
from events.services import events as event_services
from events.services.events import (
    event_cancel,
    event_reminders_send,
    event_reminders_send_all,
)
from events.services.registrations import registration_cancel, registration_register
from networks.jobs import JobFailed
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.events.factories import make_event as build_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
S = Registration.Status
NOW = datetime(2027, 5, 12, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_event(network, *, starts_in: timedelta, **overrides) -> Event:
    return build_event(network, starts_at=NOW + starts_in, **overrides)


def people(network, count: int, start: int = 10):
    users = []
    for n in range(start, start + count):
        user = make_user(f"socio{n}@example.com", first_name=f"Socio{n}", last_name="Rossi")
        member(network, user, card=n)
        users.append(user)
    return users


def register(event: Event, *users, network=None, **kwargs) -> list[Registration]:
    with scope(network=network or event.network):
        return [registration_register(event=event, user=u, **kwargs)[0] for u in users]


def reminders() -> list[tuple[str, str, int | None]]:
    rows = OutboxEmail.objects.filter(template="event-reminder").order_by("to")
    return list(rows.values_list("to", "idempotency_key", "network_id"))


def test_it_reminds_each_confirmed_place_once_the_day_before(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20))
    first, second = people(personas.florence, 2)
    registered = register(event, personas.bob, first, second)
    assert [r.status for r in registered] == [S.CONFIRMED] * 3

    assert event_reminders_send_all() == 3
    expected = sorted((r.email, f"event-reminder:{r.pk}", personas.florence.pk) for r in registered)
    assert reminders() == expected
    bob = OutboxEmail.objects.get(template="event-reminder", to=personas.bob.email)
    assert registered[0].ticket_code in bob.body_text
    assert event.title in bob.subject or event.title in bob.body_text
    with scope(network=personas.florence):
        assert Event.objects.get(pk=event.pk).reminders_sent_at == NOW

    # The beat comes back every quarter of an hour: nothing new, for the whole window.
    assert event_reminders_send_all() == 0
    clock.shift(timedelta(minutes=15))
    tasks.event_reminders_send.delay()
    clock.shift(timedelta(hours=19))
    assert tasks.event_reminders_send() == 0
    assert reminders() == expected


def test_it_runs_as_the_celery_beat_task(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20))
    [registration] = register(event, personas.bob)
    tasks.event_reminders_send.delay()  # eager in the tests: runs here, through Celery
    assert reminders() == [
        (personas.bob.email, f"event-reminder:{registration.pk}", personas.florence.pk)
    ]
    tasks.event_reminders_send.apply()
    assert len(reminders()) == 1


def test_it_waits_until_the_event_is_less_than_a_day_away(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=30))
    [registration] = register(event, personas.bob)
    assert event_reminders_send_all() == 0
    assert reminders() == []
    clock.shift(timedelta(hours=5, minutes=59))  # 24 h 01 min before
    assert event_reminders_send_all() == 0
    assert reminders() == []
    clock.shift(timedelta(minutes=2))  # 23 h 59 min before: now it is due
    assert event_reminders_send_all() == 1
    assert reminders() == [
        (personas.bob.email, f"event-reminder:{registration.pk}", personas.florence.pk)
    ]


def test_it_does_not_remind_an_event_that_has_started(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20))
    register(event, personas.bob)
    clock.shift(timedelta(hours=21))  # the beat was down all day: too late for a reminder
    assert event_reminders_send_all() == 0
    assert reminders() == []


def test_it_does_not_remind_drafts_or_cancelled_events(clock, personas):
    draft = make_event(personas.florence, starts_in=timedelta(hours=20), publish=False)
    cancelled = make_event(personas.florence, starts_in=timedelta(hours=20))
    [kept] = register(cancelled, personas.bob)
    with scope(network=personas.florence):
        event_cancel(event=cancelled)
        # Cancelling the event leaves the registrations as they were: the status of the
        # event is what must stop the reminder.
        assert Registration.objects.get(pk=kept.pk).status == S.CONFIRMED

    assert event_reminders_send_all() == 0
    assert reminders() == []
    with scope(network=personas.florence):
        untouched = Event.objects.filter(pk__in=[draft.pk, cancelled.pk], reminders_sent_at=None)
        assert untouched.count() == 2


def test_it_skips_waitlisted_and_cancelled_registrations(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20), capacity=1)
    waiting, leaving = people(personas.florence, 2)
    confirmed, waitlisted, cancelled = register(event, personas.bob, waiting, leaving)
    statuses = (confirmed.status, waitlisted.status, cancelled.status)
    assert statuses == (S.CONFIRMED, S.WAITLISTED, S.WAITLISTED)
    with scope(network=personas.florence):
        assert registration_cancel(registration=cancelled) == []  # no place was freed
        assert Registration.objects.get(pk=cancelled.pk).status == S.CANCELLED

    assert event_reminders_send_all() == 1
    assert reminders() == [
        (personas.bob.email, f"event-reminder:{confirmed.pk}", personas.florence.pk)
    ]
    recipients = set(OutboxEmail.objects.filter(template="event-reminder").values_list("to"))
    assert (waiting.email,) not in recipients and (leaving.email,) not in recipients


def test_it_reminds_a_member_and_not_the_guest_without_an_address(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20), guests_per_member=1)
    [registration] = register(event, personas.bob, guest_names=["Gina Ospite"])
    with scope(network=personas.florence):
        assert registration.guests.get().status == S.CONFIRMED
    assert event_reminders_send_all() == 1
    assert [to for to, _key, _net in reminders()] == [personas.bob.email]


def test_it_reminds_each_network_of_its_own_events(clock, personas):
    florence_event = make_event(personas.florence, starts_in=timedelta(hours=20))
    veneto_event = make_event(personas.veneto, starts_in=timedelta(hours=20))
    [bob] = register(florence_event, personas.bob)
    [charlie] = register(veneto_event, personas.charlie)

    with scope(network=personas.florence):
        assert event_reminders_send(network=personas.florence) == 1
    assert reminders() == [(personas.bob.email, f"event-reminder:{bob.pk}", personas.florence.pk)]
    with scope(network=personas.veneto):
        assert event_reminders_send(network=personas.veneto) == 1
    assert reminders() == [
        (personas.bob.email, f"event-reminder:{bob.pk}", personas.florence.pk),
        (personas.charlie.email, f"event-reminder:{charlie.pk}", personas.veneto.pk),
    ]
    assert event_reminders_send_all() == 0


def test_it_reminds_a_cohosted_event_once_from_its_organiser(clock, personas):
    event = make_event(personas.florence, starts_in=timedelta(hours=20), cohosts=[personas.veneto])
    with scope(network=personas.veneto):
        assert Event.objects.filter(pk=event.pk).exists()  # VenetoIN shows it too
    [bob] = register(event, personas.bob)
    [charlie] = register(event, personas.charlie, network=personas.veneto)

    # VenetoIN's pass, even first, leaves the organiser's event alone.
    with scope(network=personas.veneto):
        assert event_reminders_send(network=personas.veneto) == 0
    assert reminders() == []

    assert event_reminders_send_all() == 2
    assert event_reminders_send_all() == 0
    assert reminders() == [
        (personas.bob.email, f"event-reminder:{bob.pk}", personas.florence.pk),
        (personas.charlie.email, f"event-reminder:{charlie.pk}", personas.florence.pk),
    ]


def test_it_reminds_other_networks_when_one_fails(clock, personas, monkeypatch):
    florence_event = make_event(personas.florence, starts_in=timedelta(hours=20))
    veneto_event = make_event(personas.veneto, starts_in=timedelta(hours=20))
    register(florence_event, personas.bob)
    [charlie] = register(veneto_event, personas.charlie)
    real_email = event_services.plain_email

    def broken_in_florence(registration, **kwargs):
        if registration.event.network_id == personas.florence.pk:
            raise RuntimeError("template missing")
        return real_email(registration, **kwargs)

    monkeypatch.setattr(event_services, "plain_email", broken_in_florence)
    with pytest.raises(JobFailed, match="florence"):
        event_reminders_send_all()
    assert reminders() == [
        (personas.charlie.email, f"event-reminder:{charlie.pk}", personas.veneto.pk)
    ]
    with scope(network=personas.florence):  # rolled back: the next run tries Florence again
        assert Event.objects.get(pk=florence_event.pk).reminders_sent_at is None


def test_it_writes_the_notice_the_rule_sets(clock, personas, monkeypatch):
    monkeypatch.setattr(event_services, "REMINDER_AHEAD", timedelta(hours=36))
    register(make_event(personas.florence, starts_in=timedelta(hours=30)), personas.bob)
    assert event_reminders_send_all() == 1
    [email] = OutboxEmail.objects.filter(template="event-reminder")
    assert " 36 " in email.body_text and " 24 " not in email.body_text
