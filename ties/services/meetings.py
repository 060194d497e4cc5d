"""Meetings: a one-to-one one member records and the other confirms; "we met" after an event.

A confirmed one-to-one connects the two (origin "one_to_one"); a "we met" mark returned connects
them too, tied to the event (origin "event").
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from events.models import Event, Registration
from members.models import Profile, User
from networks.inputs import validate_typed_date
from networks.languages import email_language
from networks.models import Membership, Network
from outbox.services import email_queue, site_url
from ties.models import EventListing, EventMeet, OneToOne, Origin
from ties.services.connections import TiesError, connection_make


def validate_met_on(met_on: date) -> None:
    validate_typed_date(met_on)
    if met_on > timezone.localdate():
        raise ValidationError(_("A meeting you record has already happened."), code="future")


def one_to_one_record(
    *, network: Network, recorded_by: User, other: User, met_on: date, note: str
) -> OneToOne:
    """Record a one-to-one with ``other``, a member of ``network``; they are asked to confirm.

    Once per pair and day: a double click gives the first record back and one email.
    """
    validate_met_on(met_on)
    if other.pk == recorded_by.pk:
        raise TiesError(_("A one-to-one needs another member."))
    members = Membership.objects.filter(
        network=network, user__in=[recorded_by, other], status=Membership.Status.ACTIVE
    )
    if members.count() != 2:
        raise TiesError(_("You can record a one-to-one only with a member of this network."))
    same = {"recorded_by": recorded_by, "other": other, "met_on": met_on}
    with scopes_disabled():
        existing = OneToOne.objects.filter(**same).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                meeting = OneToOne.objects.create(network=network, note=note.strip()[:2000], **same)
                _email_confirm(meeting)
        except IntegrityError:
            return OneToOne.objects.get(**same)
    return meeting


def _email_confirm(meeting: OneToOne) -> None:
    recipient = meeting.other
    email_queue(
        template="ties-one-to-one",
        to=recipient.email,
        context={
            "recipient_name": recipient.get_short_name(),
            "recorder_name": meeting.recorded_by.get_full_name() or meeting.recorded_by.email,
            "met_on": meeting.met_on,
            "note": meeting.note,
            "me_url": site_url("members:me"),
        },
        language=email_language(chosen=recipient.language, network=meeting.network),
        on_duplicate="error",  # the record was created just now, once
        idempotency_key=f"ties-one-to-one-{meeting.pk}",
        network_id=meeting.network_id,
    )


def one_to_one_confirm(*, one_to_one_id: int, user: User) -> OneToOne:
    """The other side confirms; the two are connected. A second click changes nothing."""
    with transaction.atomic(), scopes_disabled():
        meeting = OneToOne.objects.select_for_update().filter(pk=one_to_one_id, other=user).first()
        if meeting is None:
            raise TiesError(_("This meeting is not yours to confirm."))
        if meeting.confirmed_at is not None:
            return meeting
        meeting.confirmed_at = timezone.now()
        meeting.save(update_fields=["confirmed_at"])
        connection_make(
            user_a=meeting.recorded_by,
            user_b=user,
            origin=Origin.ONE_TO_ONE,
            network=meeting.network,
        )
    return meeting


def _checked_in(*, event: Event, users: list[User]) -> list[Registration]:
    """The people's own checked-in registrations, locked in a fixed order.

    Locking both rows serialises two people marking each other at the same instant: the second
    mark sees the first and makes the connection, so a returned mark is never missed.
    """
    with scopes_disabled():
        return list(
            Registration.objects.select_for_update()
            .filter(event=event, user__in=users, checked_in_at__isnull=False)
            .order_by("pk")
        )


def event_listing_set(*, event: Event, user: User, listed: bool) -> None:
    """Opt in (or out) of the list of those who came, which only other attendees see."""
    if not event.has_started:
        raise TiesError(_("The list of those who came opens when the event starts."))
    with transaction.atomic():
        if not _checked_in(event=event, users=[user]):
            raise TiesError(_("Only people checked in at the event can be listed."))
        if listed:
            EventListing.objects.get_or_create(event=event, user=user)
        else:
            EventListing.objects.filter(event=event, user=user).delete()


def event_meet_mark(*, event: Event, network: Network, from_user: User, to_user: User) -> bool:
    """``from_user`` met ``to_user`` at ``event``; returns whether the mark was returned.

    Both must have been checked in and ``to_user`` listed. A returned mark connects the two,
    once, tied to the event; double clicks and both sides at once give one mark each and one
    connection.
    """
    if not event.has_started:
        raise TiesError(_("You can say whom you met once the event has started."))
    if from_user.pk == to_user.pk:
        raise TiesError(_("Choose someone else."))
    with transaction.atomic():
        checked_in = _checked_in(event=event, users=[from_user, to_user])
        if len({registration.user_id for registration in checked_in}) != 2:
            raise TiesError(_("Only people checked in at the event can say they met."))
        listed = EventListing.objects.filter(event=event, user=to_user).exclude(
            user__profile__visibility=Profile.Visibility.HIDDEN
        )
        if not listed.exists():
            raise TiesError(_("This person is not listed among those who came."))
        EventMeet.objects.get_or_create(event=event, from_user=from_user, to_user=to_user)
        returned = EventMeet.objects.filter(
            event=event, from_user=to_user, to_user=from_user
        ).exists()
        if returned:
            connection_make(
                user_a=from_user,
                user_b=to_user,
                origin=Origin.EVENT,
                network=network,
                event_id=event.pk,
            )
    return returned
