"""Reads of meetings: members I can record a one-to-one with, those to confirm, "we met"."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django_scopes import scopes_disabled

from events.models import Event, Registration
from members.models import Profile, User
from networks.models import Membership, Network
from ties.models import Connection, EventListing, EventMeet, OneToOne

HIDDEN = Profile.Visibility.HIDDEN


def one_to_one_partner_queryset(*, network: Network, user: User) -> QuerySet[User]:
    """Active members of ``network`` other than me and not hidden, unordered: the form's list
    and the picker's search (ties.selectors.people) both start from it."""
    return (
        User.objects.filter(
            memberships__network=network,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
        .exclude(pk=user.pk)
        .exclude(profile__visibility=HIDDEN)
    )


def one_to_one_partners(*, network: Network, user: User) -> list[User]:
    """The one-to-one form's choices, by name."""
    rows = one_to_one_partner_queryset(network=network, user=user)
    return list(rows.order_by("first_name", "last_name", "pk"))


def one_to_ones_to_confirm(*, user: User) -> list[OneToOne]:
    """One-to-ones others recorded with me that I have not confirmed, newest first (/me/)."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            OneToOne.objects.filter(other=user, confirmed_at__isnull=True)
            .select_related("recorded_by")
            .order_by("-met_on", "-id")
        )


def checked_in(*, event: Event, user: User) -> bool:
    with scopes_disabled():
        return Registration.objects.filter(
            event=event, user=user, checked_in_at__isnull=False
        ).exists()


@dataclass(frozen=True, kw_only=True)
class Attendee:
    user: User
    marked: bool  # I said I met them
    connected: bool  # we are connected (by this event or before)


@dataclass(frozen=True, kw_only=True)
class WhoCame:
    listed: bool  # am I listed
    attendees: list[Attendee]


def who_came(*, event: Event, user: User) -> WhoCame:
    """The others checked in at ``event`` who agreed to be listed and are not hidden."""
    with scopes_disabled():
        people = list(
            User.objects.filter(
                event_registrations__event=event,
                event_registrations__checked_in_at__isnull=False,
                pk__in=EventListing.objects.filter(event=event).values("user_id"),
            )
            .exclude(pk=user.pk)
            .exclude(profile__visibility=HIDDEN)
            .select_related("profile")
            .distinct()
            .order_by("first_name", "last_name", "pk")
        )
    marked = set(
        EventMeet.objects.filter(event=event, from_user=user).values_list("to_user_id", flat=True)
    )
    mine = Connection.objects.filter(Q(user_low=user) | Q(user_high=user))
    connected = {pk for pair in mine.values_list("user_low_id", "user_high_id") for pk in pair}
    return WhoCame(
        listed=EventListing.objects.filter(event=event, user=user).exists(),
        attendees=[
            Attendee(user=p, marked=p.pk in marked, connected=p.pk in connected) for p in people
        ],
    )


def event_here(*, event_id: int) -> Event | None:
    """The event, when the current network hosts it (the network's scope is active)."""
    return Event.objects.filter(pk=event_id).first()
