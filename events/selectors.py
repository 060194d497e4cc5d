"""Reads for events: what a viewer may see, lists, the door's counts, and cross-network views.

Visibility has one rule, applied in SQL for lists and in Python for a single event: drafts
are for the organising networks' coordinators; public events are for everyone; "network"
events for active members of a host network; "federation" events for active members of any
network. Whoever may not see an event gets the same 404 as for one that does not exist.
"""

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_scopes import scopes_disabled

from events.models import ACTIVE_STATUSES, BADGE_STATUSES, Event, Registration
from members.selectors.photos import photo_url
from members.selectors.visibility import in_directories, profile_visible_to
from networks.models import Membership, Network
from outbox.services import optouts_among

Visibility = Event.Visibility


@dataclass(frozen=True)
class Viewer:
    """Who is looking: their active networks, and whether they run the network in the URL."""

    user: Any
    network_ids: frozenset[int]
    coordinator: bool = False

    @property
    def is_member_anywhere(self) -> bool:
        return bool(self.network_ids)


def viewer_for(*, user: Any, network: Network, membership: Membership | None) -> Viewer:
    """One query at most: a member of this network needs none to be known as a member."""
    if not user.is_authenticated:
        return Viewer(user, frozenset())
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        return Viewer(user, frozenset({network.pk}), membership.is_coordinator)
    return Viewer(user, user_network_ids(user=user))


def user_network_ids(*, user: Any) -> frozenset[int]:
    """The networks where this person is an active member, across the federation."""
    with scopes_disabled():
        ids = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
            "network_id", flat=True
        )
        return frozenset(ids)


def _visible(viewer: Viewer, network: Network) -> Q:
    if viewer.coordinator:
        return Q()
    shown = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    allowed = Q(visibility=Visibility.PUBLIC)
    if viewer.is_member_anywhere:
        allowed |= Q(visibility=Visibility.FEDERATION)
    if network.pk in viewer.network_ids:
        # Inside this network's scope every event is hosted by it: a member sees them all.
        allowed |= Q(visibility=Visibility.NETWORK)
    return shown & allowed


def event_is_visible(*, event: Event, viewer: Viewer, network: Network) -> bool:
    """``network`` is the one in the URL, a host of the event (the scope guarantees it)."""
    if viewer.coordinator:
        return True
    if event.status == Event.Status.DRAFT:
        return False
    if event.visibility == Visibility.PUBLIC:
        return True
    if event.visibility == Visibility.FEDERATION:
        return viewer.is_member_anywhere
    if network.pk in viewer.network_ids:
        return True
    # A member of a co-host, reading the event under another host's address: one more query.
    return bool(viewer.network_ids) and event.hosts.filter(pk__in=viewer.network_ids).exists()


def event_for_viewer(
    *, event_id: int, viewer: Viewer, network: Network, with_hosts: bool = False
) -> Event | None:
    """The event, or None when it does not exist here or is not for this viewer."""
    events = Event.objects.select_related("network").filter(pk=event_id)
    if with_hosts:
        events = events.prefetch_related("hosts")
    event = events.first()
    if event is None or not event_is_visible(event=event, viewer=viewer, network=network):
        return None
    return event


def may_register(*, event: Event, viewer: Viewer) -> bool:
    """Members register to what they see; people without a membership only to public events
    open to guests."""
    if not (viewer.user.is_authenticated and event.registration_is_open()):
        return False
    if viewer.is_member_anywhere:
        return True
    return event.visibility == Visibility.PUBLIC and event.guests_allowed


def event_list(*, network: Network, viewer: Viewer, past_limit: int = 20) -> dict[str, list]:
    """Upcoming events (soonest first) and recent past ones with their attendance, each with
    its organiser and the viewer's own place: two queries whatever the number of events."""
    now = timezone.now()
    visible = with_my_place(
        Event.objects.filter(_visible(viewer, network)).select_related("network"),
        user=viewer.user,
    )
    past = with_attendance(visible.filter(ends_at__lte=now))
    return {
        "upcoming": list(visible.filter(ends_at__gt=now).order_by("starts_at", "id")),
        "past": list(past.order_by("-starts_at", "-id")[:past_limit]),
    }


def _registrations_counted(**filters: Any) -> Coalesce:
    """How many registrations of the outer event match, as a subquery (0 when none)."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), **filters)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_attendance(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with ``attended`` (confirmed places checked in) and ``walk_ins``; with
    ``confirmed_count`` that is the summary a concluded event shows, in the list's query."""
    return events.annotate(
        attended=_registrations_counted(
            status=Registration.Status.CONFIRMED, checked_in_at__isnull=False
        ),
        walk_ins=_registrations_counted(status=Registration.Status.WALK_IN),
    )


def _waitlist_position() -> CombinedExpression:
    """A registration's place in its event's waitlist (1 for the first), as a subquery: the
    waitlisted registrations of the same event taken before it, plus one. Meaningful only for
    a waitlisted registration; the order is the one the waitlist moves up in."""
    waitlisted = Registration.Status.WAITLISTED
    ahead = (
        Registration.objects.filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
            event=OuterRef("event"),
            status=waitlisted,
        )
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1


def with_my_place(events: QuerySet[Event], *, user: Any) -> QuerySet[Event]:
    """Each event with the person's own active place: ``my_status`` (None without one),
    ``my_position`` on the waitlist and ``my_arrived`` (when checked in), as subqueries of the
    list's own query, so a list asks no more queries for them."""
    if not user.is_authenticated:
        return events
    mine = Registration.objects.filter(
        event=OuterRef("pk"), user=user, status__in=ACTIVE_STATUSES
    ).annotate(position=_waitlist_position())
    return events.annotate(
        my_status=Subquery(mine.values("status")[:1]),
        my_position=Subquery(mine.values("position")[:1], output_field=IntegerField()),
        my_arrived=Subquery(mine.values("checked_in_at")[:1]),
    )


def viewer_registration(*, event: Event, user: Any) -> Registration | None:
    if not user.is_authenticated:
        return None
    registration = (
        Registration.objects.filter(event=event, user=user, status__in=ACTIVE_STATUSES)
        .prefetch_related("guests")
        .first()
    )
    if registration is not None:
        registration.event = event  # its rules (can it be cancelled?) read the event
    return registration


@dataclass(frozen=True)
class Attendee:
    name: str
    company: str
    photo_url: str  # "" without a photo, or when the viewer may not see this profile


@dataclass(frozen=True)
class WhoIsComing:
    people: list[Attendee]
    others: int  # confirmed places of people not listed: no opt-in, guests, hidden profiles


def may_see_who_is_coming(*, event: Event, viewer: Viewer) -> bool:
    """Signed-in active members of a host network, while the published event is ahead or on.

    People without a membership (and guests, who have no account) never see it; ``hosts``
    is prefetched on the event page, so this asks no query.
    """
    if not viewer.user.is_authenticated or event.status != Event.Status.PUBLISHED:
        return False
    if event.is_past:
        return False
    return bool(viewer.network_ids & {host.pk for host in event.hosts.all()})


def who_is_coming(*, event: Event, viewer: Viewer, mine: Registration | None) -> WhoIsComing | None:
    """The others with a confirmed place who chose to be listed, by name, in one query; None
    for a viewer who may not see the list.

    A hidden profile is never listed, whatever its registration says. A listed person's photo
    follows their profile's visibility (``members.selectors.visibility``): someone from
    another network who shows their profile to their own networks only is listed with
    initials. Everyone else with a place is counted from the event's ``confirmed_count``.
    """
    if not may_see_who_is_coming(event=event, viewer=viewer):
        return None
    photo_shown = Case(
        When(profile_visible_to(viewer=viewer.user, prefix="user__"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        Registration.objects.filter(
            in_directories(prefix="user__"),
            event=event,
            status=Registration.Status.CONFIRMED,
            listed=True,
        )
        .exclude(user=viewer.user)
        .annotate(photo_shown=photo_shown)
        .order_by("user__last_name", "user__first_name", "pk")
        .values(
            *("user_id", "user__first_name", "user__last_name", "user__profile__company"),
            *("company", "user__profile__photo", "photo_shown"),
        )
    )
    people = [_attendee(row) for row in rows]
    me = int(mine is not None and mine.status == Registration.Status.CONFIRMED)
    # The counter and the list are two reads: a place taken in between must not go negative.
    return WhoIsComing(people, max(event.confirmed_count - len(people) - me, 0))


def _attendee(row: dict[str, Any]) -> Attendee:
    photo = row["user__profile__photo"] if row["photo_shown"] else ""
    return Attendee(
        name=f"{row['user__first_name']} {row['user__last_name']}".strip(),
        company=row["user__profile__company"] or row["company"],
        photo_url=photo_url(user_id=row["user_id"], name=photo),
    )


def waitlist_position(*, registration: Registration) -> int:
    positions = Registration.objects.filter(pk=registration.pk).annotate(
        position=_waitlist_position()
    )
    return int(positions.values_list("position", flat=True).get())


def network_feed_events(*, network: Network) -> QuerySet[Event]:
    """The public calendar feed: public events of the last 90 days and all upcoming ones."""
    since = timezone.now() - timedelta(days=90)
    return (
        Event.objects.filter(
            visibility=Visibility.PUBLIC,
            status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            ends_at__gte=since,
        )
        .select_related("network")
        .order_by("starts_at")
    )


def upcoming_public_events(*, limit: int = 12, user: Any = None) -> list[Event]:
    """The federation home: the next public events of every network, each with the person's
    own place when a ``user`` is given (``with_my_place``)."""
    with scopes_disabled():
        events = (
            Event.objects.filter(
                visibility=Visibility.PUBLIC,
                status=Event.Status.PUBLISHED,
                ends_at__gt=timezone.now(),
            )
            .select_related("network")
            .order_by("starts_at", "id")
        )
        if user is not None:
            events = with_my_place(events, user=user)
        return list(events[:limit])


FEDERATION_EVENTS_LIMIT = 60


def upcoming_events_for(*, user: Any, limit: int = FEDERATION_EVENTS_LIMIT) -> list[Event]:
    """Every network's next events the person may see, soonest first, in one query: public
    ones for anyone; for an active member, also those for the whole federation and those for
    the members of a network they belong to (listed under that network, where they can open it).
    Each carries the person's own place (``with_my_place``)."""
    visible = Q(visibility=Visibility.PUBLIC)
    with scopes_disabled():
        if user.is_authenticated:
            mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
            here = mine.filter(network=OuterRef("network"))
            visible |= Q(Q(visibility=Visibility.FEDERATION), Exists(mine))
            visible |= Q(Q(visibility=Visibility.NETWORK), Exists(here))
        events = (
            Event.objects.filter(visible, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
            .select_related("network")
            .order_by("starts_at", "id")
        )
        return list(with_my_place(events, user=user)[:limit])


def network_upcoming_public_events(*, limit: int = 3) -> list[Event]:
    """A network's public page: the next public events it organises or co-hosts (the scope
    the page runs in names the network), soonest first."""
    return list(
        Event.objects.filter(
            visibility=Visibility.PUBLIC,
            status=Event.Status.PUBLISHED,
            ends_at__gt=timezone.now(),
        )
        .select_related("network")
        .order_by("starts_at", "id")[:limit]
    )


def my_next_registrations(*, user: Any, limit: int = 3) -> list[Registration]:
    """Cross-network, for the person themself: their next places (confirmed or waiting), for
    the home page; ``my_registrations`` gives the full list."""
    with scopes_disabled():
        return list(
            Registration.objects.filter(
                user=user,
                status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
                event__ends_at__gt=timezone.now(),
            )
            .exclude(event__status=Event.Status.CANCELLED)
            .select_related("event", "event__network")
            .annotate(position=_waitlist_position())  # on a waitlist: where, in the same query
            .order_by("event__starts_at", "event_id")[:limit]
        )


def my_registrations(*, user: Any) -> dict[str, list[Registration]]:
    """The person's own places across networks, with the guests they bring and, for a place
    on a waitlist, its ``position`` there (in the same query)."""
    with scopes_disabled():
        mine = (
            Registration.objects.filter(user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .annotate(position=_waitlist_position())
            .select_related("event", "event__network")
            .prefetch_related("guests")
            .order_by("event__starts_at")
        )
        now = timezone.now()
        return {
            "upcoming": list(mine.filter(event__ends_at__gt=now)),
            "past": list(mine.filter(event__ends_at__lte=now).reverse()[:20]),
        }


def event_news_recipients(*, event: Event) -> list[tuple[int, str, str, str]]:
    """(user id, email, first name, language) of active members who agreed to event news.

    A federation-wide event goes to the members of every network, the others to the members of
    its host networks; a person in two networks appears once. An address that opted out by
    one click is left out, so the count a coordinator is shown is the count that will leave.
    """
    with scopes_disabled():
        members = Membership.objects.filter(
            status=Membership.Status.ACTIVE, user__profile__event_news=True, user__is_active=True
        )
        if event.visibility != Visibility.FEDERATION:
            members = members.filter(network__in=event.hosts.all())
        rows = set(
            members.values_list(
                "user_id", "user__email", "user__first_name", "user__language"
            ).distinct()
        )
    opted_out = optouts_among(emails=[row[1] for row in rows])
    return sorted(row for row in rows if row[1] not in opted_out)


def event_news_audience(*, event: Event) -> int:
    """How many members an announcement of this event would reach now."""
    return len(event_news_recipients(event=event))


def followup_guests(*, event: Event) -> list[tuple[str, str]]:
    """(name, email) of the people who came without being members of the organising network."""
    members = Membership.objects.filter(network=event.network).values("user_id")
    came = (
        Registration.objects.filter(event=event, checked_in_at__isnull=False)
        .exclude(email="")
        .exclude(user__in=members)
        .values_list("name", "email")
    )
    seen: dict[str, str] = {}
    for name, email in came:
        seen.setdefault(email.lower(), name)
    return [(name, email) for email, name in sorted(seen.items())]


@dataclass(frozen=True)
class DoorCounts:
    expected: int
    arrived: int
    walk_ins: int
    waitlisted: int
    # Attendance is a figure of an event that has started: before, nobody is a no-show yet.
    started: bool = True

    @property
    def attendance_rate(self) -> float | None:
        if not (self.started and self.expected):
            return None
        return self.arrived / self.expected

    @property
    def no_shows(self) -> int | None:
        if not self.started:
            return None
        return self.expected - self.arrived


def door_counts(*, event: Event) -> DoorCounts:
    S = Registration.Status
    counts = Registration.objects.filter(event=event).aggregate(
        expected=Count("pk", filter=Q(status=S.CONFIRMED)),
        arrived=Count("pk", filter=Q(status=S.CONFIRMED, checked_in_at__isnull=False)),
        walk_ins=Count("pk", filter=Q(status=S.WALK_IN)),
        waitlisted=Count("pk", filter=Q(status=S.WAITLISTED)),
    )
    return DoorCounts(**counts, started=event.has_started)


def door_search(*, event: Event, query: str, limit: int = 20) -> list[Registration]:
    query = query.strip()
    if len(query) < 2:
        return []
    words = Q()
    for word in query.split()[:4]:
        words &= Q(name__icontains=word) | Q(company__icontains=word)
    return list(
        Registration.objects.filter(
            words,
            event=event,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WALK_IN,
                        Registration.Status.WAITLISTED],
        ).order_by("name")[:limit]
    )  # fmt: skip


def attendance_list(*, event: Event) -> list[Registration]:
    """Everyone with a place or who walked in: arrived first, then no-shows, by name."""
    return list(
        Registration.objects.filter(
            event=event, status__in=[Registration.Status.CONFIRMED, Registration.Status.WALK_IN]
        )
        .select_related("brought_by")
        .order_by(F("checked_in_at").asc(nulls_last=True), "name")
    )


def manage_event_list(*, network: Network) -> dict[str, list[Event]]:
    """The coordinator's list: drafts and upcoming first, then the past, with waitlist sizes."""
    now = timezone.now()
    events = Event.objects.select_related("network").annotate(
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
        )
    )
    return {
        "upcoming": list(events.filter(ends_at__gt=now).order_by("starts_at", "id")),
        "past": list(events.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:50]),
    }


@dataclass(frozen=True)
class BadgeRow:
    """One printed name badge: what it says, and the ticket whose QR code it carries."""

    registration_id: int
    name: str
    company: str
    network: str  # the person's home network among the hosts, else the organiser
    is_guest: bool  # no active membership in a host network: "Guest" stands in for no company
    ticket_code: str


def badge_rows(*, event: Event, only: int | None = None) -> list[BadgeRow]:
    """Everyone with a place or who walked in, by last name then first name (two queries).

    ``only`` narrows it to one registration, for reprinting a badge; an id that is not a
    confirmed place or walk-in of this event gives an empty list.
    """
    registrations = Registration.objects.filter(event=event, status__in=BADGE_STATUSES)
    if only is not None:
        registrations = registrations.filter(pk=only)
    people = list(registrations.select_related("user", "user__profile"))
    homes = _host_networks(event=event, registrations=registrations)
    keyed = sorted(
        (_badge_row(event, registration, homes) for registration in people),
        key=lambda pair: pair[0],
    )
    return [row for _key, row in keyed]


def _host_networks(*, event: Event, registrations: QuerySet[Registration]) -> dict[int, str]:
    """User id → the name of the host network they are an active member of.

    A co-host's members are outside this network's scope, hence the named exception; the
    query stays within the event's hosts. A member of two hosts wears the organiser's name
    if it is one of them, else the first host's by name.
    """
    with scopes_disabled():
        memberships = (
            Membership.objects.filter(
                network__hosted_events=event,
                status=Membership.Status.ACTIVE,
                user_id__in=registrations.filter(user__isnull=False).values("user_id"),
            )
            .order_by("network__name")
            .values_list("user_id", "network_id", "network__name")
        )
        homes: dict[int, str] = {}
        for user_id, network_id, name in memberships:
            if network_id == event.network_id or user_id not in homes:
                homes[user_id] = name
        return homes


def _badge_row(
    event: Event, registration: Registration, homes: dict[int, str]
) -> tuple[tuple[str, str, int], BadgeRow]:
    """The badge, with the key it sorts by (last name, first name, then the id for a tie)."""
    user, home = registration.user, homes.get(registration.user_id or 0)
    profile = getattr(user, "profile", None)  # reverse one-to-one: None when it was never made
    company = registration.company or (profile.company if profile else "")
    if user is not None and user.get_full_name():
        first, last, name = user.first_name, user.last_name, user.get_full_name()
    else:
        name = registration.name
        first, _space, last = name.strip().rpartition(" ")
    key = (_collation_key(last), _collation_key(first), registration.pk)
    return key, BadgeRow(
        registration_id=registration.pk,
        name=name,
        company=company,
        network=home or event.network.name,
        is_guest=home is None,
        ticket_code=registration.ticket_code,
    )


def _collation_key(text: str) -> str:
    """Accents do not move a name: "Żółć" sorts with the Z's, "Éric" with the E's."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def next_network_event(*, network: Network) -> Event | None:
    """The coordinator's home: the next published event the network hosts, in one query."""
    return (
        Event.objects.filter(
            hosts=network, status=Event.Status.PUBLISHED, starts_at__gt=timezone.now()
        )
        .order_by("starts_at", "id")
        .first()
    )
