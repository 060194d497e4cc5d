"""The door: tickets scanned or typed, name search, walk-ins, counts, and the follow-up."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_scopes import scope

from events.models import Registration
from events.services.checkin import (
    CheckinNotOpen,
    Outcome,
    checkin_registration,
    checkin_scan,
    walk_in_add,
)
from events.services.events import event_cancel
from events.services.registrations import registration_register
from events.tickets import ticket_signed
from members.models import Invitation
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.events.factories import make_event, starting_soon
from tests.members.factories import member

pytestmark = pytest.mark.django_db


def _url(name, event, **extra):
    return reverse(name, kwargs={"network_slug": "florence", "event_id": event.pk, **extra})


@pytest.fixture
def evening(personas):
    event = make_event(personas.florence, capacity=1, starts_at=starting_soon())
    with scope(network=personas.florence):
        ticket, _ = registration_register(event=event, user=personas.bob)
        waiting, _ = registration_register(event=event, user=personas.alice)
    return event, ticket, waiting


def test_it_checks_a_ticket_in_once_and_says_when(client, personas, evening):
    event, ticket, _waiting = evening
    client.force_login(personas.alice)
    scanned = ticket_signed(code=ticket.ticket_code)
    first = client.post(_url("event_checkin_scan", event), {"code": scanned})
    assert first.context["result"].outcome == Outcome.ARRIVED
    second = client.post(_url("event_checkin_scan", event), {"code": scanned})
    assert second.context["result"].outcome == Outcome.ALREADY
    assert second.context["result"].at == first.context["result"].at
    assert second.context["counts"].arrived == 1


def test_it_accepts_the_code_typed_from_the_ticket(client, personas, evening):
    event, ticket, _waiting = evening
    client.force_login(personas.alice)
    response = client.post(_url("event_checkin_scan", event), {"code": ticket.ticket_code})
    assert response.context["result"].outcome == Outcome.ARRIVED


def test_it_refuses_forged_and_foreign_tickets(client, personas, evening):
    event, ticket, waiting = evening
    other = make_event(personas.florence, title="Un'altra serata")
    with scope(network=personas.florence):
        foreign, _ = registration_register(event=other, user=personas.bob)
        forged = ticket.ticket_code + ":" + "A" * 27
        assert (
            checkin_scan(event=event, scanned=forged, by=personas.alice).outcome == Outcome.INVALID
        )
        tampered = ticket_signed(code=ticket.ticket_code)[:-2] + "xx"
        assert (
            checkin_scan(event=event, scanned=tampered, by=personas.alice).outcome
            == Outcome.INVALID
        )
        elsewhere = ticket_signed(code=foreign.ticket_code)
        assert (
            checkin_scan(event=event, scanned=elsewhere, by=personas.alice).outcome
            == Outcome.NOT_HERE
        )
        on_waitlist = ticket_signed(code=waiting.ticket_code)
        result = checkin_scan(event=event, scanned=on_waitlist, by=personas.alice)
        assert result.outcome == Outcome.NO_PLACE
        assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_it_finds_people_by_name_and_marks_them_with_one_tap(client, personas, evening):
    event, ticket, _waiting = evening
    client.force_login(personas.alice)
    found = client.get(_url("event_checkin_search", event), {"q": "bell"})
    assert [r.pk for r in found.context["results"]] == [ticket.pk]
    tap = client.post(_url("event_checkin_mark", event, registration_id=ticket.pk))
    assert tap.context["result"].outcome == Outcome.ARRIVED
    assert "Bob Bellini" in tap.content.decode()


def test_it_adds_a_walk_in_counted_apart_from_capacity(client, personas, evening):
    event, _ticket, _waiting = evening
    client.force_login(personas.alice)
    data = {"name": "Walter Walkin", "email": "walter@example.com", "company": "Porta Srl"}
    response = client.post(_url("event_checkin_walk_in", event), data)
    assert response.status_code == 200
    assert response.context["counts"].walk_ins == 1
    event.refresh_from_db()
    assert event.confirmed_count == 1  # the capacity counter is for booked places only
    invalid = client.post(_url("event_checkin_walk_in", event), {"name": ""})
    assert invalid.status_code == 422


def test_it_keeps_the_door_for_coordinators(client, personas, evening):
    event, _ticket, _waiting = evening
    client.force_login(personas.bob)
    assert client.get(_url("event_checkin", event)).status_code == 403
    client.force_login(personas.charlie)
    assert client.get(_url("event_checkin", event)).status_code == 404
    client.force_login(personas.alice)
    page = client.get(_url("event_checkin", event))
    assert page.status_code == 200
    assert "qr-scanner" in page.content.decode()  # the vendored reader is on the page


def test_it_reports_attendance_and_invites_the_guests_who_came(client, personas):
    event = make_event(personas.florence, capacity=10, starts_at=starting_soon())
    nina = make_user("nina@example.com", first_name="Nina")
    member(personas.florence, nina, card=7)
    with scope(network=personas.florence):
        came, _ = registration_register(event=event, user=personas.bob)
        registration_register(event=event, user=nina)  # a no-show
    client.force_login(personas.alice)
    client.post(_url("event_checkin_mark", event, registration_id=came.pk))
    client.post(
        _url("event_checkin_walk_in", event),
        {"name": "Guido Guest", "email": "guido@example.com", "company": ""},
    )
    with time_machine.travel(event.ends_at + timedelta(hours=1)):
        page = client.get(_url("manage_event", event))
        counts = page.context["counts"]
        assert (counts.expected, counts.arrived, counts.no_shows, counts.walk_ins) == (2, 1, 1, 1)
        assert counts.attendance_rate == 0.5
        client.post(_url("manage_event_followup", event), {"message": "Vieni a trovarci!"})
        client.post(_url("manage_event_followup", event))  # once only
    with scope(network=personas.florence):
        invited = list(Invitation.objects.values_list("email", flat=True))
    assert invited == ["guido@example.com"]  # members are not invited to join again
    assert OutboxEmail.objects.filter(template="invitation", to="guido@example.com").count() == 1
    assert timezone.now() < event.ends_at


def test_it_ignores_a_nul_byte_from_a_scanner(client, personas, evening):
    event, ticket, _waiting = evening
    client.force_login(personas.alice)
    found = client.get(_url("event_checkin_search", event), {"q": "Bell\x00ini"})
    assert found.status_code == 200
    scanned = client.post(_url("event_checkin_scan", event), {"code": ticket.ticket_code + "\x00"})
    assert scanned.context["result"].outcome == Outcome.ARRIVED


def test_it_opens_the_door_only_a_few_hours_before_the_start(client, personas, settings):
    settings.CHECKIN_OPENS_HOURS_BEFORE = 3
    event = make_event(personas.florence, starts_at=timezone.now() + timedelta(days=20))
    with scope(network=personas.florence):
        ticket, _ = registration_register(event=event, user=personas.bob)
    client.force_login(personas.alice)
    weeks_early = client.post(_url("event_checkin_mark", event, registration_id=ticket.pk))
    assert weeks_early.context["result"].outcome == Outcome.NOT_OPEN
    scanned = client.post(_url("event_checkin_scan", event), {"code": ticket.ticket_code})
    assert scanned.context["result"].outcome == Outcome.NOT_OPEN
    walk_in = client.post(_url("event_checkin_walk_in", event), {"name": "Walter Walkin"})
    assert walk_in.status_code == 409
    assert walk_in.context["walk_in_form"].non_field_errors()  # says when it opens
    page = client.get(_url("event_checkin", event))
    body = page.content.decode()
    assert 'id="checkin-closed"' in body and 'id="scan-form"' not in body
    opens = timezone.localtime(event.starts_at - timedelta(hours=3))
    assert date_format(opens, "DATETIME_FORMAT") in body  # the page says when it opens
    found = client.get(_url("event_checkin_search", event), {"q": "Bob"}).content.decode()
    assert "Bob" in found and "event_checkin_mark" not in found and "hx-post" not in found
    with scope(network=personas.florence):
        assert not Registration.objects.filter(checked_in_at__isnull=False).exists()

    with time_machine.travel(event.starts_at - timedelta(hours=3, minutes=1)):
        client.force_login(personas.alice)  # a new session: the first one expired meanwhile
        early = client.post(_url("event_checkin_mark", event, registration_id=ticket.pk))
        assert early.context["result"].outcome == Outcome.NOT_OPEN
    with time_machine.travel(event.starts_at - timedelta(hours=2, minutes=59)):
        client.force_login(personas.alice)
        on_time = client.post(_url("event_checkin_mark", event, registration_id=ticket.pk))
        assert on_time.context["result"].outcome == Outcome.ARRIVED


def test_it_reads_the_check_in_window_from_the_settings(personas, settings):
    event = make_event(personas.florence, starts_at=timezone.now() + timedelta(hours=5))
    settings.CHECKIN_OPENS_HOURS_BEFORE = 3
    assert not event.checkin_is_open
    settings.CHECKIN_OPENS_HOURS_BEFORE = 6
    assert event.checkin_is_open


def test_it_refuses_check_in_at_drafts_and_cancelled_events(personas):
    draft = make_event(personas.florence, publish=False, starts_at=starting_soon())
    with scope(network=personas.florence):
        with pytest.raises(CheckinNotOpen):
            walk_in_add(event=draft, name="Walter", email="", company="", by=personas.alice)
        cancelled = make_event(personas.florence, starts_at=starting_soon())
        ticket, _ = registration_register(event=cancelled, user=personas.bob)
        event_cancel(event=cancelled)
        cancelled.refresh_from_db()
        result = checkin_registration(event=cancelled, registration_id=ticket.pk, by=personas.alice)
        assert result.outcome == Outcome.NOT_OPEN


def test_it_reports_no_attendance_for_an_event_that_has_not_started(client, personas, evening):
    event, _ticket, _waiting = evening
    client.force_login(personas.alice)
    counts = client.get(_url("manage_event", event)).context["counts"]
    assert (counts.expected, counts.arrived) == (1, 0)
    assert (counts.attendance_rate, counts.no_shows) == (None, None)  # not "0% · 1 no-show"
    with time_machine.travel(event.starts_at + timedelta(minutes=5)):
        counts = client.get(_url("manage_event", event)).context["counts"]
        assert (counts.attendance_rate, counts.no_shows) == (0.0, 1)
