"""Property test: the dashboards' figures, read from the rollups, equal the same figures
computed directly from the source rows, whatever the history.

Each example builds a random history of about 120 days for two or three networks (memberships,
applications, invitations, events with registrations and check-ins, and the business between
members: connections, asks and answers, introductions, one-to-ones, referrals), with instants biased
towards the DST changes, month boundaries and local midnight, freezes "now" after it, runs a
full ``stats_rebuild()`` and compares every figure of ``dashboard()`` for several periods with
a plain-Python computation over the objects it created. A partial rebuild must then leave the
rollups, and so every figure, unchanged. Each example runs in a savepoint that is rolled back.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from clubin.stats.models import AMOUNTS, FLOWS, DecisionDays, NetworkDay, NetworkSnapshot
from clubin.stats.selectors import TIES_FLOWS, Dashboard, Figures, Period, dashboard
from clubin.stats.services import stats_rebuild, stats_refresh_recent
from events.models import Event, Registration
from members.models import Invitation, MembershipApplication, User
from networks.models import Membership, Network
from outbox.models import OutboxEmail
from ties.models import Answer, Connection, Introduction, OneToOne, Post, Referral

ROME = ZoneInfo("Europe/Rome")
WINDOW = 120  # days of history before "today"
# Each history starts on one of these days: the first window holds the spring DST change
# (29 March 2026), the second the autumn one (25 October 2026).
ANCHORS = (date(2026, 1, 20), date(2026, 7, 15))
DST_DAYS = (date(2026, 3, 29), date(2026, 10, 25))
# Clock times that catch UTC-versus-local mistakes: near midnight, and inside the hour DST
# removes (02:30 on 29 March) or repeats (02:30 on 25 October).
TRICKY_TIMES = (
    time(0, 0), time(0, 15), time(0, 59), time(1, 30), time(2, 30), time(3, 0),
    time(22, 59), time(23, 0), time(23, 30), time(23, 59),
)  # fmt: skip
# "Now" has 30 seconds where every generated instant has none: no age is exactly 14 or 90 days.
NOW_TIMES = (time(0, 20, 30), time(10, 7, 30), time(23, 50, 30))
NETWORKS = (
    ("net-a", "Net A", "Toscana"),
    ("net-b", "Net B", "Veneto"),
    ("net-c", "Net C", "Toscana"),
)
DAY = timedelta(days=1)

M_STATUSES = ("active", "active", "active", "suspended", "lapsed", "ended")
A_STATUSES = ("pending", "waitlisted", "approved_waiting", "approved", "rejected", "withdrawn")
CLOSED = ("approved", "rejected", "withdrawn")
OPEN = ("pending", "waitlisted", "approved_waiting")
R_STATUSES = ("confirmed", "confirmed", "confirmed", "pending", "waitlisted", "cancelled")
GUEST_STATUSES = ("confirmed", "confirmed", "waitlisted", "cancelled", "walk_in")


# --- The history, as plain data ------------------------------------------------------------


@dataclass
class M:  # a membership
    user: int
    net: int
    status: str
    role: str
    joined_on: date
    valid_until: date | None


@dataclass
class A:  # an application, each by a user of its own
    net: int
    status: str
    submitted: datetime
    decided: datetime | None


@dataclass
class Inv:
    net: int
    created: datetime
    app: int | None  # index into History.applications
    delivered: bool = True  # its email left; one that did not is not "sent"


@dataclass
class R:  # a registration
    user: int | None  # index into the pool of members; None for a guest or a walk-in
    status: str
    checked_in: datetime | None


@dataclass
class E:
    net: int
    cohost: int | None
    status: str
    starts: datetime
    regs: list[R]


@dataclass
class Conn:  # a connection between two members of the pool
    a: int
    b: int
    created: datetime
    origin: str
    event: int | None  # index into History.events, for a connection made at an event
    net: int


@dataclass
class Ask:  # a post; only asks count, offers do not
    net: int
    author: int
    kind: str
    created: datetime
    answers: list[tuple[int, datetime]]  # (author, when)


@dataclass
class Intro:
    net: int
    introducer: int
    first: int
    second: int
    created: datetime
    accepted: datetime | None


@dataclass
class Meeting:  # a one-to-one
    net: int
    recorded_by: int
    other: int
    created: datetime
    confirmed: datetime | None


@dataclass
class Ref:  # a referral
    net: int
    giver: int
    receiver: int
    created: datetime
    status: str
    closed: date | None
    value: Decimal | None


@dataclass
class Ties:
    connections: list[Conn]
    posts: list[Ask]
    introductions: list[Intro]
    meetings: list[Meeting]
    referrals: list[Ref]


NO_TIES = Ties([], [], [], [], [])  # never changed: each history draws its own


@dataclass
class History:
    anchor: date
    today: date
    now: datetime
    networks: int
    users: int
    memberships: list[M]
    applications: list[A]
    invitations: list[Inv]
    events: list[E]
    periods: list[tuple[date, date]]
    since: date
    ties: Ties = field(default_factory=lambda: NO_TIES)


@st.composite
def histories(draw) -> History:
    anchor = draw(st.sampled_from(ANCHORS))
    today = anchor + timedelta(days=WINDOW)
    now = datetime.combine(today, draw(st.sampled_from(NOW_TIMES)), tzinfo=ROME)
    first = anchor - timedelta(days=30)
    special = sorted(
        d
        for d in (first + timedelta(days=i) for i in range((today - first).days + 1))
        if d.day == 1
        or (d + DAY).day == 1
        or any(abs((d - x).days) <= 1 for x in DST_DAYS)
        or any(abs((today - d).days - ago) <= 1 for ago in (7, 14, 30, 90))  # ages "now"
    )

    def day(lo: date, hi: date) -> date:
        lo, hi = min(lo, hi), max(lo, hi)
        options = [d for d in special if lo <= d <= hi]
        plain = st.integers(0, (hi - lo).days).map(lambda i: lo + timedelta(days=i))
        return draw(st.one_of(plain, st.sampled_from(options)) if options else plain)

    def instant(lo: date, hi: date, *, past: bool = True) -> datetime:
        clock = draw(
            st.one_of(
                st.sampled_from(TRICKY_TIMES),
                st.builds(time, st.integers(0, 23), st.integers(0, 59)),
            )
        )
        local = datetime.combine(day(lo, hi), clock, tzinfo=ROME)
        local = local.replace(fold=draw(st.integers(0, 1)))
        return min(local, now.replace(second=0), key=utc) if past else local

    networks = draw(st.integers(2, 3))
    users = draw(st.integers(3, 7))
    nets = st.integers(0, networks - 1)

    memberships = []
    # Most people belong to one network, many to two or three: visits elsewhere need them.
    homes = st.lists(nets, unique=True, min_size=1, max_size=networks)
    for user, net in [(user, net) for user in range(users) for net in draw(homes)]:
        joined_on = day(first, today)
        # Valid for some days after joining (89-91: the 90-day mark), or until about today.
        length = draw(st.none() | st.integers(0, 200) | st.sampled_from((88, 89, 90, 91)))
        valid_until = None if length is None else joined_on + timedelta(days=length)
        if draw(st.integers(0, 4)) == 0:
            valid_until = max(joined_on, today + timedelta(days=draw(st.integers(-1, 1))))
        memberships.append(
            M(
                user=user,
                net=net,
                status=draw(st.sampled_from(M_STATUSES)),
                role=draw(st.sampled_from(("member", "member", "coordinator"))),
                joined_on=joined_on,
                valid_until=valid_until,
            )
        )

    applications = []
    for _ in range(draw(st.integers(0, 12))):
        submitted = instant(first, today)
        status = draw(st.sampled_from(A_STATUSES))
        decided = None
        if status in CLOSED:
            later = instant(submitted.date(), submitted.date() + timedelta(days=40))
            decided = later if utc(later) >= utc(submitted) else submitted
        applications.append(A(draw(nets), status, submitted, decided))

    invitations = []
    for i, app in enumerate(applications):  # some applications came from an invitation
        if draw(st.booleans()):
            before = timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
            invitations.append(Inv(app.net, app.submitted - before, i, draw(st.booleans())))
    for _ in range(draw(st.integers(0, 5))):
        invitations.append(Inv(draw(nets), instant(first, today), None, draw(st.booleans())))

    events = []
    for _ in range(draw(st.integers(2, 8))):
        net = draw(nets)
        cohost = draw(st.none() | nets)
        status = draw(
            st.sampled_from(("published", "published", "published", "cancelled", "draft"))
        )
        starts = instant(first, today + timedelta(days=10), past=False)
        if draw(st.integers(0, 3)) == 0:  # a few more in the future, after "now"
            later = today + timedelta(days=draw(st.integers(0, 5)))
            starts = datetime.combine(later, draw(st.sampled_from(TRICKY_TIMES)), tzinfo=ROME)
        regs = []
        if status != "draft":
            people = draw(
                st.lists(st.integers(0, users - 1), unique=True, min_size=1, max_size=users)
            )
            guests = draw(st.integers(0, 3))
            for person in [*people, *([None] * guests)]:
                reg_status = draw(st.sampled_from(GUEST_STATUSES if person is None else R_STATUSES))
                # Arrivals from three hours early (check-in opens then) to four hours late,
                # across midnight at times; and a few weeks early, as before check-in had a
                # window: none of them is attendance until the event starts.
                early = st.sampled_from((-3 * 24 * 60, -20 * 24 * 60))
                at = starts + timedelta(minutes=draw(st.integers(-180, 240) | early))
                can_arrive = status == "published" and utc(at) <= utc(now)
                checked_in = None
                if reg_status == "walk_in":
                    if not can_arrive:
                        continue  # nobody walks in to an event that has not happened
                    checked_in = at
                elif reg_status == "confirmed" and can_arrive and draw(st.integers(0, 3)):
                    checked_in = at
                regs.append(R(person, reg_status, checked_in))
        events.append(E(net, None if cohost == net else cohost, status, starts, regs))

    ties = draw_ties(draw, instant, day, first, today, users, nets, len(events))

    dst = next(d for d in DST_DAYS if anchor < d < today)
    month = date(dst.year, dst.month + 1, 1)
    a, b = sorted((day(first, today), day(first, today)))
    single = day(first, today)

    def around(middle: date, before: tuple, after: tuple) -> tuple[date, date]:
        return (
            middle - timedelta(days=draw(st.integers(*before))),
            middle + timedelta(days=draw(st.integers(*after))),
        )

    periods = [
        around(dst, (0, 6), (0, 6)),  # across the DST change
        around(month, (1, 20), (0, 20)),  # across the end of a month
        (first - timedelta(days=10), today),  # everything
        (today - timedelta(days=29), today),  # the default 30 days
        (a, b),
        (single, single),
    ]
    periods = [(start, min(end, today)) for start, end in periods]  # never in the future
    since = today - timedelta(days=draw(st.integers(0, WINDOW + 30)))
    return History(
        anchor, today, now, networks, users, memberships, applications, invitations, events,
        periods, since, ties,
    )  # fmt: skip


def draw_ties(draw, instant, day, first: date, today: date, users: int, nets, events: int) -> Ties:
    """Business between the pool's members, at the same tricky instants as the rest."""
    people = st.integers(0, users - 1)
    pairs = draw(
        st.lists(
            st.tuples(people, people).filter(lambda p: p[0] < p[1]),
            unique=True, max_size=6,
        )
    )  # fmt: skip
    connections = []
    for a, b in pairs:
        origin = draw(st.sampled_from(("event", "introduction", "ask", "one_to_one", "referral")))
        event = draw(st.integers(0, events - 1)) if origin == "event" and events else None
        connections.append(Conn(a, b, instant(first, today), origin, event, draw(nets)))
    posts = []
    for _ in range(draw(st.integers(0, 4))):
        created = instant(first, today)
        authors = draw(st.lists(people, unique=True, max_size=3))
        # Answers from an hour to twelve days later, the 7-day mark itself among them.
        offsets = st.integers(1, 12 * 24) | st.sampled_from((7 * 24 - 1, 7 * 24, 7 * 24 + 1))
        answers = [(who, created + timedelta(hours=draw(offsets))) for who in authors]
        kind = draw(st.sampled_from(("ask", "ask", "offer")))
        posts.append(Ask(draw(nets), draw(people), kind, created, answers))
    triples = draw(
        st.lists(
            st.tuples(people, people, people).filter(lambda t: t[1] != t[2]),
            unique=True, max_size=3,
        )
    )  # fmt: skip
    introductions = []
    for introducer, one, two in triples:
        created = instant(first, today)
        accepted = instant(created.date(), today) if draw(st.booleans()) else None
        if accepted is not None and utc(accepted) < utc(created):
            accepted = created
        introductions.append(Intro(draw(nets), introducer, one, two, created, accepted))
    meetings = []
    # One meeting per ordered pair: the table allows one per pair and day.
    ordered = st.tuples(people, people).filter(lambda p: p[0] != p[1])
    for recorded_by, other in draw(st.lists(ordered, unique=True, max_size=3)):
        created = instant(first, today)
        confirmed = instant(created.date(), today) if draw(st.booleans()) else None
        if confirmed is not None and utc(confirmed) < utc(created):
            confirmed = created
        meetings.append(Meeting(draw(nets), recorded_by, other, created, confirmed))
    referrals = []
    for _ in range(draw(st.integers(0, 4))):
        giver, receiver = draw(st.tuples(people, people).filter(lambda p: p[0] != p[1]))
        created = instant(first, today)
        status = draw(st.sampled_from(("passed", "contacted", "meeting", "won", "won", "lost")))
        closed = day(created.date(), today) if status in ("won", "lost") else None
        value = None
        if status == "won":
            value = draw(st.none() | st.decimals(0, 10**6, places=2, allow_nan=False))
        referrals.append(Ref(draw(nets), giver, receiver, created, status, closed, value))
    return Ties(connections, posts, introductions, meetings, referrals)


# --- Writing it to the database ------------------------------------------------------------


def materialise(h: History) -> list[Network]:
    networks = [
        Network.objects.create(slug=slug, name=name, region=region, city="X", status="active")
        for slug, name, region in NETWORKS[: h.networks]
    ]
    pool = [User.objects.create(email=f"member{i}@example.com") for i in range(h.users)]
    for m in h.memberships:
        Membership.objects.create(
            network=networks[m.net], user=pool[m.user], status=m.status, role=m.role,
            joined_on=m.joined_on, valid_until=m.valid_until,
        )  # fmt: skip
    applications = []
    for i, a in enumerate(h.applications):
        applications.append(
            MembershipApplication.objects.create(
                network=networks[a.net], user=User.objects.create(email=f"aspiring{i}@example.com"),
                status=a.status, motivation="-", privacy_version="2026-11",
                privacy_acknowledged_at=a.submitted, submitted_at=a.submitted,
                decided_at=a.decided,
            )
        )  # fmt: skip
    for i, inv in enumerate(h.invitations):
        message = OutboxEmail.objects.create(
            idempotency_key=f"invitation:{i}", template="invitation", to=f"invited{i}@example.com",
            from_email="clubin@example.com", subject="-",
            status="sent" if inv.delivered else "failed",
        )  # fmt: skip
        Invitation.objects.create(
            network=networks[inv.net], email=f"invited{i}@example.com", token_hash=f"hash{i}",
            created_at=inv.created, expires_at=inv.created + timedelta(days=30),
            application=None if inv.app is None else applications[inv.app], email_message=message,
        )  # fmt: skip
    ticket = 0
    events = []
    for i, e in enumerate(h.events):
        event = Event.objects.create(
            network=networks[e.net], title=f"Event {i}", venue="Somewhere", status=e.status,
            starts_at=e.starts, ends_at=e.starts + timedelta(hours=3),
        )  # fmt: skip
        event.hosts.set([networks[e.net], *([] if e.cohost is None else [networks[e.cohost]])])
        events.append(event)
        for r in e.regs:
            ticket += 1
            Registration.objects.create(
                event=event, user=None if r.user is None else pool[r.user], name=f"P{ticket}",
                email=f"guest{ticket}@example.com", status=r.status, ticket_code=f"T{ticket}",
                created_at=e.starts - timedelta(days=3), checked_in_at=r.checked_in,
            )  # fmt: skip
    materialise_ties(h.ties, networks, pool, events)
    return networks


def materialise_ties(t: Ties, networks: list[Network], pool: list[User], events: list) -> None:
    for c in t.connections:
        Connection.objects.create(
            user_low=pool[c.a], user_high=pool[c.b], origin=c.origin, created_at=c.created,
            event=None if c.event is None else events[c.event], network=networks[c.net],
        )  # fmt: skip
    for i, p in enumerate(t.posts):
        post = Post.objects.create(
            network=networks[p.net], author=pool[p.author], kind=p.kind, title=f"Post {i}",
            expires_on=p.created.date() + timedelta(days=30), created_at=p.created,
        )  # fmt: skip
        for author, at in p.answers:
            Answer.objects.create(post=post, author=pool[author], created_at=at)
    for intro in t.introductions:
        accepted = Introduction.Reply.ACCEPTED if intro.accepted else Introduction.Reply.PENDING
        Introduction.objects.create(
            network=networks[intro.net], introducer=pool[intro.introducer],
            first=pool[intro.first], second=pool[intro.second], created_at=intro.created,
            accepted_at=intro.accepted,
            first_reply=accepted, second_reply=accepted,
        )  # fmt: skip
    for m in t.meetings:
        OneToOne.objects.create(
            network=networks[m.net], recorded_by=pool[m.recorded_by], other=pool[m.other],
            met_on=m.created.date(), created_at=m.created,
            confirmed_at=m.confirmed,
        )  # fmt: skip
    for r in t.referrals:
        Referral.objects.create(
            network=networks[r.net], giver=pool[r.giver], receiver=pool[r.receiver], what="-",
            for_whom="X", created_at=r.created, status=r.status, closed_on=r.closed,
            won_value=r.value,
        )  # fmt: skip


# --- The figures, straight from the history ------------------------------------------------


def local(moment: datetime | None) -> date:
    assert moment is not None  # callers ask only for the times a row has
    return moment.astimezone(ROME).date()


def utc(moment: datetime) -> datetime:
    """For elapsed time: Python subtracts and compares two datetimes of the same zone by their
    wall clocks, an hour off across a DST change; the application counts real time."""
    return moment.astimezone(UTC)


def left_on(m: M, today: date) -> date | None:
    """The first day a membership no longer counts, as of ``today``; None while it counts.

    A card that expired before today leaves the day after its expiry, whatever its status (the
    lapse job marks it only after the grace period). A membership that is not active and has no
    expiry at all to date it by never counted: it leaves the day it joined.
    """
    if m.valid_until is not None and m.valid_until < today:
        return m.valid_until + DAY
    if m.status != "active" and m.valid_until is None:
        return m.joined_on
    return None


def member_on(m: M, day: date, today: date) -> bool:
    gone = left_on(m, today)
    return m.joined_on <= day and (gone is None or day < gone)


class Oracle:
    def __init__(self, h: History):
        self.h = h
        days: dict[tuple[int, str], list[date]] = defaultdict(list)
        waits: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for m in h.memberships:
            days[m.net, "members_joined"].append(m.joined_on)
            if (gone := left_on(m, h.today)) is not None:
                days[m.net, "members_left"].append(gone)
            ninety = m.joined_on + timedelta(days=90)
            if member_on(m, ninety, h.today):  # still a member on their 90th day
                days[m.net, "active_after_90"].append(ninety)
        for a in h.applications:
            days[a.net, "applications"].append(local(a.submitted))
            if a.status in CLOSED:
                days[a.net, a.status].append(local(a.decided))
            if a.status in ("approved", "rejected"):
                waits[a.net].append(
                    (local(a.decided), (local(a.decided) - local(a.submitted)).days)
                )
        for inv in h.invitations:
            if inv.delivered:
                days[inv.net, "invitations_sent"].append(local(inv.created))
            if inv.app is not None:
                app = h.applications[inv.app]
                days[inv.net, "invitations_applied"].append(local(app.submitted))
                if app.status == "approved":
                    days[inv.net, "invitations_joined"].append(local(app.decided))
        started = [e for e in h.events if e.status == "published" and utc(e.starts) <= utc(h.now)]
        for e in started:  # an event counts, with its attendance, once it has started
            held = local(e.starts)
            days[e.net, "events_held"].append(held)
            for r in e.regs:
                if r.status == "confirmed":
                    days[e.net, "registrations"].append(held)
                    if r.checked_in:
                        days[e.net, "attended"].append(held)
                if r.status == "walk_in":
                    days[e.net, "walk_ins"].append(held)
        checkins = [  # attendance is dated by the event's start, not by the tap at the door
            (r.user, e.starts, {e.net, e.cohost})
            for e in started
            for r in e.regs
            if r.checked_in and r.user is not None
        ]
        for m in h.memberships:
            mine = [(at, hosts) for user, at, hosts in checkins if user == m.user]
            if m.status == "active":
                days[m.net, "attended_elsewhere"] += [
                    local(at) for at, hosts in mine if m.net not in hosts
                ]
            if mine:
                days[m.net, "first_event"].append(local(min((at for at, _ in mine), key=utc)))
        self.days, self.waits, self.checkins = days, waits, checkins
        self.amounts: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        self.ties(days)

    def ties(self, days: dict[tuple[int, str], list[date]]) -> None:
        h, t = self.h, self.h.ties
        active = {(m.user, m.net) for m in h.memberships if m.status == "active"}
        for c in t.connections:
            for side, other in ((c.a, c.b), (c.b, c.a)):
                for net in range(h.networks):
                    if (side, net) in active:
                        days[net, "connections"].append(local(c.created))
                        if (other, net) not in active:
                            days[net, "connections_cross"].append(local(c.created))
            if c.origin == "event" and c.event is not None:
                event = h.events[c.event]
                days[event.net, "event_connections"].append(local(event.starts))
        for m in h.memberships:
            if m.status != "active" and m.valid_until is None:
                continue  # never counted as a member
            first = self.first_connection(m.user)
            for within in (30, 90):
                mark = m.joined_on + timedelta(days=within)
                days[m.net, f"reached_{within}"].append(mark)
                if first is not None and first <= mark:
                    days[m.net, f"connected_{within}"].append(mark)
        for p in t.posts:
            if p.kind != "ask":
                continue
            days[p.net, "asks_posted"].append(local(p.created))
            week = utc(p.created) + timedelta(days=7)
            if any(who != p.author and utc(at) < week for who, at in p.answers):
                days[p.net, "asks_answered_7"].append(local(p.created))
        for i in t.introductions:
            days[i.net, "introductions_made"].append(local(i.created))
            if i.accepted:
                days[i.net, "introductions_accepted"].append(local(i.accepted))
        for meeting in t.meetings:
            if meeting.confirmed:
                days[meeting.net, "one_to_ones"].append(local(meeting.confirmed))
        for r in t.referrals:
            days[r.net, "referrals_passed"].append(local(r.created))
            if r.status == "won":
                assert r.closed is not None
                days[r.net, "referrals_won"].append(r.closed)
                self.amounts[r.net, r.closed] += r.value or 0
        for m in h.memberships:
            if (first := self.first_collaboration(m.user)) is not None:
                days[m.net, "first_collaboration"].append(first)

    def first_connection(self, user: int) -> date | None:
        made = [local(c.created) for c in self.h.ties.connections if user in (c.a, c.b)]
        return min(made, default=None)

    def first_collaboration(self, user: int) -> date | None:
        t = self.h.ties
        dates = [
            r.closed for r in t.referrals if r.status == "won" and user in (r.giver, r.receiver)
        ]
        dates += [
            local(i.accepted) for i in t.introductions if i.accepted and user in (i.first, i.second)
        ]
        dates += [
            local(m.confirmed)
            for m in t.meetings
            if m.confirmed and user in (m.recorded_by, m.other)
        ]
        return min((d for d in dates if d is not None), default=None)

    def unconnected_30(self, nets) -> int:
        today = self.h.today
        return sum(
            m.net in nets and m.status == "active"
            and (m.valid_until is None or m.valid_until >= today)
            and m.joined_on <= today - timedelta(days=30)
            and self.first_connection(m.user) is None
            for m in self.h.memberships
        )  # fmt: skip

    def amount(self, nets, start: date, end: date) -> Decimal:
        end = min(end, self.h.today)
        return sum(
            (v for (n, d), v in self.amounts.items() if n in nets and start <= d <= end),
            Decimal(0),
        )

    def flow(self, nets, metric: str, start: date, end: date) -> int:
        end = min(end, self.h.today)
        return sum(start <= d <= end for n in nets for d in self.days[n, metric])

    def members(self, nets, day: date) -> int:
        return sum(m.net in nets and member_on(m, day, self.h.today) for m in self.h.memberships)

    def aspiring(self, nets, day: date) -> int:
        return sum(
            a.net in nets
            and local(a.submitted) <= day
            and not (a.status in CLOSED and local(a.decided) <= day)
            for a in self.h.applications
        )

    def pending_ages(self, nets) -> list[int]:
        ages = [0, 0, 0, 0]
        for a in self.h.applications:
            if a.net in nets and a.status in OPEN:
                age = utc(self.h.now) - utc(a.submitted)
                ages[sum(age >= timedelta(days=d) for d in (7, 14, 30))] += 1
        return ages

    def attended_last_90(self, nets) -> int:
        since = utc(self.h.now) - timedelta(days=90)
        recent = {u for u, at, _ in self.checkins if utc(at) > since}
        return len(
            {(m.net, m.user) for m in self.h.memberships
             if m.net in nets and m.status == "active" and m.user in recent
             and (m.valid_until is None or m.valid_until >= self.h.today)}
        )  # fmt: skip

    def figures(
        self, networks: list[Network], nets: set[int], start: date, end: date, *, row: bool
    ) -> Figures:
        one = networks[next(iter(nets))] if row else None
        flows = {metric: self.flow(nets, metric, start, end) for metric in FLOWS}
        decided = sorted(
            w for n in nets for d, w in self.waits[n] if start <= d <= min(end, self.h.today)
        )
        waits: dict[int, int] = defaultdict(int)
        for w in decided:
            waits[w] += 1
        held = [d for n in nets for d in self.days[n, "events_held"] if d <= end]
        members = self.members(nets, end)
        ages = self.pending_ages(nets)
        seen = self.attended_last_90(nets)
        sent = flows["invitations_sent"]

        def ratio(part, whole):
            return round(part / whole, 4) if whole else None

        def rank(share):
            return decided[math.ceil(share * len(decided)) - 1] if decided else None

        ties = {metric: flows[metric] for metric in TIES_FLOWS}
        connections_total = sum(
            d <= min(end, self.h.today) for n in nets for d in self.days[n, "connections"]
        )
        figures = Figures(
            slug=one.slug if one else "", name=one.name if one else "",
            region=one.region if one else "", status=one.status if one else "",
            coordinators=sum(
                m.net in nets and m.role == "coordinator" and m.status == "active"
                for m in self.h.memberships
            ),
            members_active=members,
            members_30_days_before=self.members(nets, end - timedelta(days=30)),
            aspiring=self.aspiring(nets, end),
            new_members=flows["members_joined"], applications=flows["applications"],
            approved=flows["approved"], rejected=flows["rejected"],
            approval_rate=ratio(flows["approved"], flows["approved"] + flows["rejected"]),
            median_days=rank(0.5), p90_days=rank(0.9),
            waiting_over_14=ages[2] + ages[3],
            invitations_sent=flows["invitations_sent"],
            invitations_applied=flows["invitations_applied"],
            invitations_joined=flows["invitations_joined"],
            invitation_application_share=ratio(flows["invitations_applied"], sent),
            invitation_member_share=ratio(flows["invitations_joined"], sent),
            events_held=flows["events_held"], registrations=flows["registrations"],
            attended=flows["attended"], walk_ins=flows["walk_ins"],
            attendance_rate=ratio(flows["attended"], flows["registrations"]),
            attended_last_90=seen, attended_last_90_share=ratio(seen, members),
            attended_elsewhere=flows["attended_elsewhere"], first_event=flows["first_event"],
            active_after_90=flows["active_after_90"],
            last_event_day=max(held, default=None),
            pending_ages=ages, waits=dict(waits),
            **ties, connections_total=connections_total,
            connections_per_member=ratio(connections_total, members),
            connections_cross_share=ratio(ties["connections_cross"], ties["connections"]),
            connections_per_event=ratio(ties["event_connections"], flows["events_held"]),
            connected_30_share=ratio(ties["connected_30"], ties["reached_30"]),
            connected_90_share=ratio(ties["connected_90"], ties["reached_90"]),
            asks_answered_share=ratio(ties["asks_answered_7"], ties["asks_posted"]),
            referral_value_won=self.amount(nets, start, end),
            unconnected_30=self.unconnected_30(nets),
        )  # fmt: skip
        return figures

    def months(self, end: date) -> list[date]:
        first = end.replace(day=1)
        months = [first]
        for _ in range(11):
            first = (first - DAY).replace(day=1)
            months.append(first)
        return sorted(months)

    def charts(self, networks: list[Network], nets: list[int], end: date) -> dict:
        months = self.months(end)
        ends = [min((m + timedelta(days=32)).replace(day=1) - DAY, end) for m in months]
        members = {networks[n].name: [self.members({n}, e) for e in ends] for n in nets}

        def per_month(metric):
            return [self.flow(nets, metric, m, e) for m, e in zip(months, ends, strict=True)]

        return {
            "months": [m.strftime("%Y-%m") for m in months], "members": members,
            "applications": per_month("applications"), "approved": per_month("approved"),
            "rejected": per_month("rejected"),
        }  # fmt: skip


# --- Comparing ----------------------------------------------------------------------------


def differences(got: Figures, want: Figures) -> dict:
    got_d, want_d = asdict(got), asdict(want)
    return {k: (got_d[k], want_d[k]) for k in want_d if got_d[k] != want_d[k]}


def check(board: Dashboard, oracle: Oracle, networks: list[Network], shown: list[int]) -> None:
    start, end = board.period.start, board.period.end
    where = f"period {start}..{end}"
    assert [row.slug for row in board.rows] == [networks[n].slug for n in shown], where
    for n, row in zip(shown, board.rows, strict=True):
        assert differences(row, oracle.figures(networks, {n}, start, end, row=True)) == {}, (
            f"{where}, {networks[n].slug} (got, expected)"
        )
    totals = oracle.figures(networks, set(shown), start, end, row=False)
    assert differences(board.totals, totals) == {}, f"{where}, totals (got, expected)"
    everyone = oracle.figures(networks, set(range(len(networks))), start, end, row=False)
    assert differences(board.federation, everyone) == {}, f"{where}, federation"
    charts = {k: v for k, v in board.charts.items() if k != "funnel"}
    assert charts == oracle.charts(networks, shown, end), f"{where}, charts"
    assert board.charts["funnel"]["values"] == [
        totals.invitations_sent, totals.applications, totals.approved, totals.first_event,
        totals.active_after_90, totals.first_collaboration,
    ], where  # fmt: skip


def mismatches(got: dict, want: dict) -> dict:
    """Only the keys whose values differ, as (got, expected): readable where a diff is not."""
    return {
        k: (got.get(k), want.get(k)) for k in got.keys() | want.keys() if got.get(k) != want.get(k)
    }


def check_days(oracle: Oracle, networks: list[Network]) -> None:
    """Each day's rollup row, before any sum: a wrong day shows here with its date."""
    want: dict = defaultdict(dict)
    for (n, metric), days in oracle.days.items():
        for d in days:
            if d <= oracle.h.today:
                counts = want[networks[n].slug, d]
                counts[metric] = counts.get(metric, 0) + 1
    got = {
        (row.network.slug, row.day): {m: getattr(row, m) for m in FLOWS if getattr(row, m)}
        for row in NetworkDay.objects.select_related("network")
    }
    assert mismatches(got, want) == {}, "day rows: (got, expected)"
    amounts = {
        (networks[n].slug, d): v
        for (n, d), v in oracle.amounts.items()
        if v and d <= oracle.h.today
    }
    got_amounts = {
        (row.network.slug, row.day): row.referral_value_won
        for row in NetworkDay.objects.select_related("network").filter(referral_value_won__gt=0)
    }
    assert mismatches(got_amounts, amounts) == {}, "value won by day: (got, expected)"
    waits: dict = defaultdict(int)
    for n, pairs in oracle.waits.items():
        for d, w in pairs:
            waits[networks[n].slug, d, w] += 1
    rows = DecisionDays.objects.values_list("network__slug", "day", "days", "count")
    decided = {(slug, d, w): c for slug, d, w, c in rows}
    assert mismatches(decided, waits) == {}, "decision waits (network, day, days): (got, expected)"


def rollups() -> dict:
    """Everything the dashboards read, keyed so that two states compare key by key."""
    state: dict = {}
    names = (*FLOWS, *AMOUNTS)
    for network, day, *flows in NetworkDay.objects.values_list("network__slug", "day", *names):
        state["day", network, day] = dict(zip(names, flows, strict=True))
    for network, day, days, count in DecisionDays.objects.values_list(
        "network__slug", "day", "days", "count"
    ):
        state["waits", network, day, days] = count
    for network, *values in NetworkSnapshot.objects.values_list(
        "network__slug",
        "pending",
        "waiting_over_14",
        "pending_ages",
        "attended_last_90",
        "unconnected_30",
    ):
        state["snapshot", network] = values
    return state


class Rollback(Exception):
    """Raised at the end of each example: its rows go with the savepoint."""


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
# Passing takes a few seconds; a failure then shrinks for up to five minutes.
@pytest.mark.timeout(540)
@SETTINGS
@given(h=histories())
def test_it_matches_the_figures_computed_from_the_source_rows(h: History):
    try:
        with transaction.atomic(), scopes_disabled(), time_machine.travel(h.now, tick=False):
            networks = materialise(h)
            oracle = Oracle(h)
            stats_rebuild()
            check_days(oracle, networks)
            periods = [Period("custom", start, end) for start, end in h.periods]
            everyone = list(range(h.networks))
            boards = []
            for period in periods:
                board = dashboard(period=period)
                check(board, oracle, networks, everyone)
                boards.append(board)
            region = dashboard(period=periods[0], region="Toscana")
            check(region, oracle, networks, [n for n in everyone if NETWORKS[n][2] == "Toscana"])
            only = dashboard(period=periods[1], only=networks[1])
            check(only, oracle, networks, [1])

            full = rollups()
            stats_rebuild(since=h.since)
            assert mismatches(rollups(), full) == {}, f"after stats_rebuild(since={h.since})"
            stats_refresh_recent()
            assert mismatches(rollups(), full) == {}, "after stats_refresh_recent()"
            for period, before in zip(periods, boards, strict=True):
                assert dashboard(period=period).rows == before.rows
            raise Rollback
    except Rollback:
        pass


# A suspended card valid until "today": on the evening it counts as never a member (it leaves
# on the day it joined); the next morning it has expired and leaves on that morning instead.
EXPIRING_TODAY = History(
    anchor=date(2026, 1, 20), today=date(2026, 5, 20),
    now=datetime(2026, 5, 20, 23, 50, 30, tzinfo=ROME), networks=2, users=1,
    memberships=[M(0, 0, "suspended", "member", date(2026, 2, 1), date(2026, 5, 20))],
    applications=[], invitations=[], events=[], periods=[], since=date(2026, 5, 20),
)  # fmt: skip


@pytest.mark.django_db
@settings(SETTINGS, phases=[Phase.explicit, Phase.generate])  # fails fast: no shrinking
@example(h=EXPIRING_TODAY)
@given(h=histories())
def test_it_refreshes_the_last_days_the_next_morning_as_a_full_rebuild_would(h: History):
    """Beat's refresh, the morning after a full rebuild, with no row changed: only the calendar
    moved. The rollups must be those a full rebuild computes that morning."""
    morning = datetime.combine(h.today + DAY, time(0, 10), tzinfo=ROME)
    try:
        with transaction.atomic(), scopes_disabled():
            with time_machine.travel(h.now, tick=False):
                materialise(h)
                stats_rebuild()
            with time_machine.travel(morning, tick=False):
                stats_refresh_recent()
                refreshed = rollups()
                stats_rebuild()
                assert mismatches(refreshed, rollups()) == {}, "refreshed vs rebuilt: (got, want)"
            raise Rollback
    except Rollback:
        pass
