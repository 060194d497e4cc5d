"""Registering, confirming and cancelling places, within capacity under any concurrency.

Every change of places runs under a lock on the event row (``FOR NO KEY UPDATE``: it does not
block the inserts whose foreign keys point at the event). Under that lock the counter is read,
the places are given in order and the counter moves with them; the check constraint on the
event is the backstop, and partial unique constraints make a double click one registration.
A cancellation hands its place to the first on the waitlist in the same transaction.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from events.models import ACTIVE_STATUSES, Event, Registration
from events.services.notices import plain_email, ticket_email
from events.tickets import ticket_code_new
from members.models import User
from outbox.services import Email, email_queue_many, site_url

Status = Registration.Status
GUEST_SALT = "clubin.events.guest"
GUEST_LINK_DAYS = 7


class RegistrationClosed(Exception):
    """The event is not taking registrations now (not published, not yet open, closed)."""


def event_lock(*, event_id: int) -> Event:
    """The event row, locked until the transaction ends; the caller must be inside one."""
    return (
        Event.objects.select_for_update(no_key=True, of=("self",))
        .select_related("network")
        .get(pk=event_id)
    )


def _give_places(event: Event, registrations: Sequence[Registration], now: datetime) -> int:
    """Confirm in order while places last, waitlist the rest; returns how many got a place."""
    room = None if event.capacity is None else event.capacity - event.confirmed_count
    confirmed = 0
    for registration in registrations:
        if room is None or confirmed < room:
            registration.status, registration.confirmed_at = Status.CONFIRMED, now
            confirmed += 1
        else:
            registration.status = Status.WAITLISTED
    return confirmed


def _count(event: Event, delta: int) -> None:
    if delta:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + delta)
        event.confirmed_count += delta


def _news(registration: Registration, guests: Sequence[Registration] = ()) -> Email:
    """The email a new registration gets: its ticket, or its place on the waitlist."""
    manage_url = guest_manage_url(registration)
    if registration.status == Status.CONFIRMED:
        confirmed = [g for g in guests if g.status == Status.CONFIRMED]
        return ticket_email(
            registration, key=f"event-ticket:{registration.pk}", guests=confirmed,
            manage_url=manage_url,
        )  # fmt: skip
    return plain_email(
        registration, template="event-waitlisted", key=f"event-waitlisted:{registration.pk}",
        tickets_url=manage_url,
    )  # fmt: skip


def guest_manage_url(registration: Registration) -> str:
    """Where a person without an account cancels: a signed link, since /me/ needs a login."""
    if registration.user_id is not None or registration.brought_by_id is not None:
        return ""
    return _guest_url(registration, "cancel")


def registration_register(
    *,
    event: Event,
    user: User,
    company: str = "",
    guest_names: Sequence[str] = (),
    listed: bool = False,
) -> tuple[Registration, bool]:
    """One click for an account holder, with up to the event's number of guests; ``listed``
    shows them in "who is coming" (their guests never are).

    Returns the registration and whether it is new: a second click finds the first one.
    """
    names = [n.strip()[:150] for n in guest_names if n.strip()][: event.guests_per_member]
    for _attempt in range(2):
        try:
            return _register(event, user, company, names, listed), True
        except IntegrityError:
            # The other click won: the unique constraint turned this one away, nothing was kept.
            existing = Registration.objects.filter(
                event=event, user=user, status__in=ACTIVE_STATUSES
            ).first()
            if existing is not None:
                return existing, False
            # ...and was cancelled in the meantime (another tab): try once more.
    raise RegistrationClosed


def _register(
    event: Event, user: User, company: str, names: list[str], listed: bool
) -> Registration:
    now = timezone.now()
    with transaction.atomic():
        locked = event_lock(event_id=event.pk)
        if not locked.registration_is_open(now):
            raise RegistrationClosed
        person = Registration(
            event=locked, user=user, name=user.get_full_name() or user.email, email=user.email,
            company=company[:120], ticket_code=ticket_code_new(), created_at=now, listed=listed,
        )  # fmt: skip
        guests = [
            Registration(event=locked, brought_by=person, name=name,
                         ticket_code=ticket_code_new(), created_at=now)
            for name in names
        ]  # fmt: skip
        placed = _give_places(locked, [person, *guests], now)
        person.save(force_insert=True)
        Registration.objects.bulk_create(guests)
        _count(locked, placed)
        email_queue_many([_news(person, guests)], on_duplicate="error")
    return person


def registration_listing_set(*, registration: Registration, listed: bool) -> None:
    """Show the person in "who is coming", or stop: their choice, at any time (a cancelled
    place is never listed, whatever it says)."""
    Registration.objects.filter(pk=registration.pk).update(listed=listed)
    registration.listed = listed


def guest_token(*, registration: Registration, action: str) -> str:
    return signing.TimestampSigner(salt=f"{GUEST_SALT}.{action}").sign(str(registration.pk))


def guest_token_registration_id(*, token: str, action: str) -> int | None:
    """The registration a guest's link names. Confirming expires; cancelling never does (the
    registration being active and the event ahead are what limit it)."""
    signer = signing.TimestampSigner(salt=f"{GUEST_SALT}.{action}")
    max_age = timedelta(days=GUEST_LINK_DAYS) if action == "confirm" else None
    try:
        return int(signer.unsign(token, max_age=max_age))
    except (signing.BadSignature, ValueError):
        return None


def _guest_url(registration: Registration, action: str) -> str:
    event = registration.event
    return site_url(
        f"event_guest_{action}",
        network_slug=event.network.slug,
        event_id=event.pk,
        token=guest_token(registration=registration, action=action),
    )


def registration_register_guest(
    *, event: Event, name: str, email: str, company: str
) -> Registration | None:
    """A person without an account asks for a place; it counts once they confirm by email.

    The answer is the same whether or not the address is already registered: a confirmed
    address gets no second row and no email; one still waiting for its link gets the link again
    (the first may be lost or expired). The view's rate limit bounds how often.
    """
    if not (event.registration_is_open() and event.guests_allowed):
        raise RegistrationClosed
    if event.visibility != Event.Visibility.PUBLIC:
        raise RegistrationClosed
    registration = Registration(
        event=event, name=name.strip()[:150], email=email.strip().lower(),
        company=company.strip()[:120], status=Status.PENDING, ticket_code=ticket_code_new(),
    )  # fmt: skip
    try:
        with transaction.atomic():
            registration.save(force_insert=True)
            email_queue_many([_confirm_link(registration)], on_duplicate="error")
    except IntegrityError:
        waiting = Registration.objects.filter(
            event=event, email=registration.email, user=None, brought_by=None,
            status=Status.PENDING,
        ).first()  # fmt: skip
        if waiting is not None:
            waiting.event = event
            email_queue_many([_confirm_link(waiting, again=True)], on_duplicate="error")
        return None
    return registration


def _confirm_link(registration: Registration, *, again: bool = False) -> Email:
    key = f"event-guest-confirm:{registration.pk}"
    return plain_email(
        registration, template="event-guest-confirm",
        key=f"{key}:{uuid.uuid4().hex}" if again else key,
        confirm_url=_guest_url(registration, "confirm"), days=GUEST_LINK_DAYS,
    )  # fmt: skip


def registration_confirm_guest(*, event: Event, registration_id: int) -> Registration | None:
    """The guest's emailed link: the place is given now, or a waitlist position."""
    now = timezone.now()
    with transaction.atomic():
        locked = event_lock(event_id=event.pk)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .filter(pk=registration_id, event=locked, user=None)
            .first()
        )
        if registration is None or registration.status != Status.PENDING:
            return registration  # a second click on the link changes nothing
        if not locked.registration_is_open(now):
            raise RegistrationClosed
        registration.event = locked
        placed = _give_places(locked, [registration], now)
        registration.save(update_fields=["status", "confirmed_at"])
        _count(locked, placed)
        email_queue_many([_news(registration)], on_duplicate="error")
    return registration


def registration_cancel(*, registration: Registration) -> list[Registration]:
    """Cancel a registration (with the guests it brought); the waitlist moves up at once.

    Returns the registrations that got a place from the waitlist.
    """
    now = timezone.now()
    with transaction.atomic():
        event = event_lock(event_id=registration.event_id)
        if not event.places_can_change:
            # Started (its attendance stays as it was), cancelled, or never published.
            raise RegistrationClosed
        rows = list(
            Registration.objects.select_for_update(of=("self",)).filter(
                event=event, status__in=ACTIVE_STATUSES, pk=registration.pk
            )
        ) + list(
            Registration.objects.select_for_update(of=("self",)).filter(
                event=event, status__in=ACTIVE_STATUSES, brought_by_id=registration.pk
            )
        )
        if not rows:
            return []
        freed = sum(1 for row in rows if row.status == Status.CONFIRMED)
        Registration.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.CANCELLED, cancelled_at=now
        )
        _count(event, -freed)
        return registrations_promote(event=event, places=freed, now=now)


def registrations_promote(
    *, event: Event, places: int | None, now: datetime | None = None
) -> list[Registration]:
    """Give up to ``places`` free places (None: all of them) to the waitlist, first come first.

    The caller holds the event's lock; each promoted person gets their ticket by email.
    """
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or places == 0 or event.starts_at <= now:
        return []
    waiting = (
        Registration.objects.select_for_update(of=("self",))
        .filter(event=event, status=Status.WAITLISTED)
        .select_related("brought_by", "user")
        .order_by("created_at", "id")
    )
    promoted = list(waiting if places is None else waiting[:places])
    if not promoted:
        return []
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        status=Status.CONFIRMED, confirmed_at=now
    )
    _count(event, len(promoted))
    emails = []
    for registration in promoted:
        registration.status, registration.confirmed_at, registration.event = (
            Status.CONFIRMED, now, event,
        )  # fmt: skip
        email = ticket_email(
            registration, key=f"event-ticket:{registration.pk}",
            manage_url=guest_manage_url(registration),
        )  # fmt: skip
        if email.to:
            emails.append(email)
    email_queue_many(emails, on_duplicate="error")
    return promoted
