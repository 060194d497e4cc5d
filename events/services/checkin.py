"""The door: scan or tap to mark arrival once, and add the people who turn up unannounced."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from events.models import Event, Registration
from events.tickets import ticket_code_from_signed, ticket_code_new
from members.models import User

Status = Registration.Status


class Outcome(StrEnum):
    ARRIVED = "arrived"  # marked now
    ALREADY = "already"  # marked before: the scanner says when
    INVALID = "invalid"  # not a ticket this site signed
    NOT_HERE = "not_here"  # a genuine ticket, but not for this event
    NO_PLACE = "no_place"  # on the waitlist, cancelled, or awaiting email confirmation
    NOT_OPEN = "not_open"  # too early (the door opens a few hours before), or not published


class CheckinNotOpen(Exception):
    """Check-in has not opened for this event (see ``Event.checkin_is_open``)."""


@dataclass(frozen=True)
class CheckIn:
    outcome: Outcome
    registration: Registration | None = None
    at: datetime | None = None


def _mark(event: Event, registration: Registration, by: User) -> CheckIn:
    if registration.status not in (Status.CONFIRMED, Status.WALK_IN):
        return CheckIn(Outcome.NO_PLACE, registration)
    now = timezone.now()
    # Conditional: of two scanners at the same ticket, one marks it and the other is told when.
    marked = Registration.objects.filter(
        pk=registration.pk, event=event, checked_in_at=None
    ).update(checked_in_at=now, checked_in_by=by)
    if marked:
        registration.checked_in_at = now
        return CheckIn(Outcome.ARRIVED, registration, now)
    registration.refresh_from_db(fields=["checked_in_at"])
    return CheckIn(Outcome.ALREADY, registration, registration.checked_in_at)


def checkin_scan(*, event: Event, scanned: str, by: User) -> CheckIn:
    """A scanned QR code (signed) or a code typed from the ticket (the bare code)."""
    if not event.checkin_is_open:
        return CheckIn(Outcome.NOT_OPEN)
    scanned = scanned.strip()
    if ":" in scanned:
        code = ticket_code_from_signed(signed=scanned)
        if code is None:
            return CheckIn(Outcome.INVALID)
    elif scanned:
        code = scanned
    else:
        return CheckIn(Outcome.INVALID)
    registration = Registration.objects.filter(event=event, ticket_code=code).first()
    if registration is None:
        return CheckIn(Outcome.NOT_HERE)
    return _mark(event, registration, by)


def checkin_registration(*, event: Event, registration_id: int, by: User) -> CheckIn:
    if not event.checkin_is_open:
        return CheckIn(Outcome.NOT_OPEN)
    registration = Registration.objects.filter(event=event, pk=registration_id).first()
    if registration is None:
        return CheckIn(Outcome.NOT_HERE)
    return _mark(event, registration, by)


def walk_in_add(*, event: Event, name: str, email: str, company: str, by: User) -> Registration:
    """Someone at the door without a place: recorded, and counted apart from the capacity."""
    if not event.checkin_is_open:
        raise CheckinNotOpen
    now = timezone.now()
    return Registration.objects.create(
        event=event, name=name.strip()[:150], email=email.strip().lower(),
        company=company.strip()[:120], status=Status.WALK_IN, ticket_code=ticket_code_new(),
        created_at=now, confirmed_at=now, checked_in_at=now, checked_in_by=by,
    )  # fmt: skip
