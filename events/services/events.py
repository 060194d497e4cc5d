"""The coordinator's writes: create, edit, publish, cancel, announce, follow up."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from events.models import ACTIVE_STATUSES, Event, Registration
from events.selectors import event_news_recipients, followup_guests
from events.services.notices import event_context, plain_email
from events.services.registrations import event_lock, registrations_promote
from members.models import User
from members.services.invitations import InvitationRefused, Invitee, invitation_send
from networks.jobs import for_each_network
from networks.languages import email_language
from networks.models import Network
from outbox.services import (
    PERSONAL_KEY,
    Email,
    email_queue_many,
    site_url,
)


@dataclass(frozen=True)
class EventDetails:
    """What a coordinator sets on an event; the server sets the organiser, status, counters
    and dates. Typed fields, so a caller cannot pass one the event does not have."""

    title: str
    description: str
    venue: str
    address: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    visibility: str
    guests_allowed: bool
    guests_per_member: int


# The event's columns those details fill: the form's fields, and what an edit saves.
EDITABLE = tuple(field.name for field in fields(EventDetails))


class EventClosed(Exception):
    """The event no longer allows this change: it has started, or it is cancelled."""


class CapacityBelowConfirmed(Exception):
    def __init__(self, confirmed: int) -> None:
        super().__init__(confirmed)
        self.confirmed = confirmed


def _validate(details: EventDetails) -> None:
    """The model's own rules (dates within bounds, lengths), whoever calls: forms check them
    too, but a service must not store what the pages then fail to show."""
    for name in EDITABLE:
        field = Event._meta.get_field(name)
        if isinstance(field, Field):
            field.run_validators(getattr(details, name))


def _write(event: Event, details: EventDetails) -> None:
    for name in EDITABLE:
        setattr(event, name, getattr(details, name))


def event_create(
    *, network: Network, created_by: User, details: EventDetails, cohosts: Iterable[Network]
) -> Event:
    _validate(details)
    with transaction.atomic():
        event = Event(network=network, created_by=created_by)
        _write(event, details)
        event.save()
        event.hosts.set([network, *cohosts])
    return event


def event_update(*, event: Event, details: EventDetails, cohosts: Iterable[Network]) -> Event:
    """Save the coordinator's changes; more places go to the waitlist at once.

    Fewer places than people already confirmed is refused: nobody loses a confirmed place
    without being told, and the coordinator decides whom to ask.
    """
    _validate(details)
    with transaction.atomic():
        locked = event_lock(event_id=event.pk)
        if not locked.can_edit:
            raise EventClosed
        capacity = details.capacity
        if capacity is not None and capacity < locked.confirmed_count:
            raise CapacityBelowConfirmed(locked.confirmed_count)
        _write(locked, details)
        locked.save(update_fields=list(EDITABLE))
        locked.hosts.set([locked.network, *cohosts])
        room = None if capacity is None else capacity - locked.confirmed_count
        registrations_promote(event=locked, places=room)
    return locked


def event_publish(*, event: Event) -> bool:
    now = timezone.now()
    published = Event.objects.filter(pk=event.pk, status=Event.Status.DRAFT).update(
        status=Event.Status.PUBLISHED, published_at=now
    )
    return published == 1


def event_cancel(*, event: Event) -> int:
    """Cancel the event and tell everyone who holds or awaits a place; returns how many.

    A second click finds it cancelled and tells nobody; an event that has started is refused.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = event_lock(event_id=event.pk)
        if locked.status == Event.Status.CANCELLED:
            return 0
        if not locked.can_cancel:
            raise EventClosed
        was_draft = locked.status == Event.Status.DRAFT
        Event.objects.filter(pk=locked.pk).update(status=Event.Status.CANCELLED, cancelled_at=now)
        locked.status = Event.Status.CANCELLED
        if was_draft:
            return 0
        registrations = list(
            Registration.objects.filter(event=locked, status__in=ACTIVE_STATUSES)
            .exclude(email="")
            .select_related("user", "event__network")
        )
        emails = [
            plain_email(r, template="event-cancelled", key=f"event-cancelled:{r.pk}")
            for r in registrations
        ]
        email_queue_many(emails, on_duplicate="error", fanout=True)
    return len(emails)


def event_announce(*, event: Event) -> int:
    """Email the event to the members who agreed to event news, once; returns how many.

    An announcement that would reach nobody is not spent: the event stays unannounced, to be
    announced once members ask for event news.
    """
    if not event.can_announce:
        return 0
    recipients = event_news_recipients(event=event)
    if not recipients:
        return 0
    network = event.network
    contexts: dict[str, dict[str, Any]] = {}  # one per language: the date is written in it
    emails = []
    for user_id, email, first_name, chosen in recipients:
        language = email_language(chosen=chosen, network=network)
        if language not in contexts:
            contexts[language] = {
                **event_context(event, language=language),
                "description": event.description,
                PERSONAL_KEY: ["person_name"],
            }
        emails.append(
            Email(
                template="event-announcement",
                to=email,
                context={**contexts[language], "person_name": first_name},
                idempotency_key=f"event-announcement:{event.pk}:{user_id}",
                network_id=network.pk,
                language=language,
                render_later=True,
                suppressible=True,
            )
        )
    with transaction.atomic():
        now = timezone.now()
        claimed = Event.objects.filter(
            pk=event.pk, announced_at=None, status=Event.Status.PUBLISHED, starts_at__gt=now
        ).update(announced_at=now)
        if not claimed:
            return 0
        email_queue_many(emails, on_duplicate="error", fanout=True)
    return len(emails)


@dataclass(frozen=True)
class FollowUp:
    invited: int
    skipped: int


def event_followup(*, event: Event, by: User, message: str = "") -> FollowUp:
    """Invite the guests who came (and are not members) to apply, once per event."""
    if not event.can_follow_up:
        return FollowUp(0, 0)
    claimed = Event.objects.filter(pk=event.pk, followup_sent_at=None).update(
        followup_sent_at=timezone.now()
    )
    if not claimed:
        return FollowUp(0, 0)
    invited = skipped = 0
    for name, email in followup_guests(event=event):
        try:
            invitation_send(
                network=event.network, inviter=by, by_coordinator=True,
                invitee=Invitee(email=email, name=name, message=message),
            )  # fmt: skip
        except InvitationRefused:
            skipped += 1  # already a member, already invited, opted out, or over the limit
        else:
            invited += 1
    return FollowUp(invited, skipped)


REMINDER_AHEAD = timedelta(hours=24)


def event_reminders_send(*, network: Network, now: datetime | None = None) -> int:
    """The day before: one reminder per confirmed place, for this network's own events."""
    now = now or timezone.now()
    due = Event.objects.filter(
        network=network, status=Event.Status.PUBLISHED, reminders_sent_at=None,
        starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("network")  # fmt: skip
    sent = 0
    for event in due:
        with transaction.atomic():
            # Claimed first: two beats running at once send each reminder once.
            if not Event.objects.filter(pk=event.pk, reminders_sent_at=None).update(
                reminders_sent_at=now
            ):
                continue
            registrations = (
                Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
                .exclude(email="")
                .select_related("user")
            )
            emails = []
            for registration in registrations:
                registration.event = event
                emails.append(
                    plain_email(
                        registration, template="event-reminder",
                        key=f"event-reminder:{registration.pk}",
                        ticket_code=registration.ticket_code, tickets_url=site_url("my_events"),
                        hours=REMINDER_AHEAD // timedelta(hours=1),
                    )
                )  # fmt: skip
            email_queue_many(emails, on_duplicate="error", fanout=True)
            sent += len(emails)
    return sent


def event_reminders_send_all(*, now: datetime | None = None) -> int:
    """Every quarter of an hour: the day-before reminders, network by network."""

    def event_reminders_queue(network: Network) -> int:
        return event_reminders_send(network=network, now=now)

    return for_each_network(event_reminders_queue).total_or_raise()
