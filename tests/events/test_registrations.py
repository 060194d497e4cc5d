"""Registering within capacity, the waitlist, cancelling and promotion, guests."""

import pytest
from django.core import mail
from django_scopes import scope

from events.models import Event, Registration
from events.services.registrations import (
    RegistrationClosed,
    registration_cancel,
    registration_register,
)
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
S = Registration.Status


def _people(network, count, start=10):
    people = []
    for n in range(count):
        user = make_user(f"socio{start + n}@example.com", first_name=f"Socio{start + n}")
        member(network, user, card=start + n)
        people.append(user)
    return people


def test_it_confirms_within_capacity_then_waitlists_in_order(personas):
    event = make_event(personas.florence, capacity=2)
    first, second, third, fourth = _people(personas.florence, 4)
    with scope(network=personas.florence):
        results = [
            registration_register(event=event, user=u)[0] for u in (first, second, third, fourth)
        ]
        assert [r.status for r in results] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
        event.refresh_from_db()
        assert event.confirmed_count == 2
        promoted = registration_cancel(registration=results[0])
        assert [r.pk for r in promoted] == [results[2].pk]  # the first in line, not the second
        event.refresh_from_db()
        assert event.confirmed_count == 2
        assert Registration.objects.get(pk=results[3].pk).status == S.WAITLISTED
    templates = list(OutboxEmail.objects.order_by("id").values_list("template", "to"))
    assert templates[-1] == ("event-ticket", third.email)  # the promoted one gets a ticket


def test_it_gives_one_registration_for_two_clicks(personas):
    event = make_event(personas.florence)
    with scope(network=personas.florence):
        first, created = registration_register(event=event, user=personas.bob)
        again, created_again = registration_register(event=event, user=personas.bob)
        assert (created, created_again) == (True, False)
        assert again.pk == first.pk
        assert Registration.objects.filter(event=event).count() == 1
        event.refresh_from_db()
        assert event.confirmed_count == 1


def test_it_sends_the_ticket_with_qr_code_and_calendar_entry(
    personas, smtp_sink, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_SCRUB_SECRETS = True
    event = make_event(personas.florence)
    with django_capture_on_commit_callbacks(execute=True), scope(network=personas.florence):
        registration, _ = registration_register(event=event, user=personas.bob)
    [message] = smtp_sink.messages
    assert message["To"] == personas.bob.email
    names = {part.get_filename() for part in message.walk() if part.get_filename()}
    assert names == {"event.ics", "ticket-1.png"}
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert registration.ticket_code in body
    # A ticket is a secret: once sent, the stored copy keeps no body and no attachments.
    row = OutboxEmail.objects.get(template="event-ticket")
    assert (row.status, row.body_text, row.attachments) == ("sent", "", [])


def test_it_lets_members_bring_guests_within_the_limit(personas):
    event = make_event(personas.florence, capacity=3, guests_per_member=2)
    with scope(network=personas.florence):
        registration, _ = registration_register(
            event=event, user=personas.bob, guest_names=["Gina Guest", "Ugo Ospite", "Terzo Troppo"]
        )
        guests = list(registration.guests.order_by("id"))
        assert [g.name for g in guests] == ["Gina Guest", "Ugo Ospite"]
        assert all(g.status == S.CONFIRMED for g in guests)
        event.refresh_from_db()
        assert event.confirmed_count == 3
        # Cancelling the member cancels the guests they brought.
        registration_cancel(registration=registration)
        event.refresh_from_db()
        assert event.confirmed_count == 0
        assert set(Registration.objects.values_list("status", flat=True)) == {S.CANCELLED}


def test_it_refuses_registration_outside_its_window(personas):
    draft = make_event(personas.florence, publish=False)
    with scope(network=personas.florence), pytest.raises(RegistrationClosed):
        registration_register(event=draft, user=personas.bob)
    from datetime import timedelta

    from django.utils import timezone

    closed = make_event(
        personas.florence, registration_closes_at=timezone.now() - timedelta(minutes=1)
    )
    with scope(network=personas.florence), pytest.raises(RegistrationClosed):
        registration_register(event=closed, user=personas.bob)
    assert mail.outbox == []


def test_it_never_stores_more_confirmed_than_capacity(personas):
    """The database itself refuses a counter above capacity, whatever the code does."""
    from django.db import IntegrityError, transaction

    event = make_event(personas.florence, capacity=1)
    with scope(network=personas.florence), pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(confirmed_count=2)
