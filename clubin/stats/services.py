"""Computing the rollups: a few GROUP BY statements per figure, never a loop over people.

``stats_rebuild(since=…)`` recomputes every day from ``since`` to today (all of history when
``since`` is None) inside one transaction: the old rows of those days go and the new ones are
inserted in bulk. Beat refreshes the last days every five minutes and everything nightly,
which also catches late changes to old days (a renewal that revives a lapsed membership).
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone
from django_scopes import scopes_disabled

from clubin.stats.models import DecisionDays, NetworkDay, NetworkSnapshot, Refresh
from events.models import Event, Registration
from members.models import Invitation, MembershipApplication
from networks.models import Membership, Network
from outbox.selectors import outbox_delivered
from ties.models import Answer, Connection, Introduction, OneToOne, Origin, Post, Referral
from ties.selectors.unconnected import unconnected_memberships

RECENT_DAYS = 3
REFRESH_EVERY_SECONDS = 60  # at most one refresh a minute after changes
AGE_BUCKETS = (7, 14, 30)  # pending applications: ≤7 days, 8-14, 15-30, older
WAITING_LONG_DAYS = AGE_BUCKETS[1]  # "waiting_over_14": the two oldest buckets
ACTIVE_AFTER_DAYS = 90  # "active_after_90": still a member this many days after joining
ATTENDED_DAYS = 90  # "attended_last_90": seen at an event within this many days
CONNECTED_WITHIN = (30, 90)  # "connected_30/90": a connection by this many days after joining
ANSWERED_WITHIN_DAYS = 7  # "asks_answered_7": an answer from someone else within this many days

App = MembershipApplication.Status
Rows = dict[tuple[int, date], dict[str, int | Decimal]]  # counts, and sums in euro
Waits = dict[tuple[int, date], dict[str, int]]  # decisions by the days they took


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=_zone())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=_zone())


def _add(
    rows: Rows,
    metric: str,
    counts: Iterable[tuple[int, date | None, int]],
    since: date,
    until: date,
) -> None:
    for network_id, day, count in counts:
        if day is not None and since <= day <= until and count:
            rows[(network_id, day)][metric] += count


def _expired(today: date) -> Q:
    """A card whose validity ended before today: gone the day after, even in the grace period
    (the lapse job only marks it later, and a renewal brings it back at the nightly rebuild)."""
    return Q(valid_until__lt=today)


def _ended_undated(today: date) -> Q:
    """Not active and no expiry at all to date it by: never counted as a member.

    A suspended or ended card with an expiry still counts until then and leaves the day after,
    so no day's figure depends on when the rollup was computed.
    """
    return ~Q(status=Membership.Status.ACTIVE) & Q(valid_until__isnull=True)


def _membership_flows(rows: Rows, since: date, until: date) -> None:
    joined = Membership.objects.values_list("network_id", "joined_on").annotate(n=Count("id"))
    _add(rows, "members_joined", joined.filter(joined_on__gte=since), since, until)
    expired = Membership.objects.filter(_expired(until)).values_list("network_id", "valid_until")
    shifted = [(n, d + timedelta(days=1), c) for n, d, c in expired.annotate(c=Count("id"))]
    _add(rows, "members_left", shifted, since, until)
    undated = Membership.objects.filter(_ended_undated(until))
    counts = undated.values_list("network_id", "joined_on").annotate(c=Count("id"))
    _add(rows, "members_left", counts, since, until)
    # Still a member on their 90th day: not ended undated, and not expired before that day.
    after = timedelta(days=ACTIVE_AFTER_DAYS)
    ninety = (
        Membership.objects.exclude(_ended_undated(until))
        .exclude(_expired(until) & Q(valid_until__lt=F("joined_on") + after))
        .values_list("network_id", "joined_on")
    )
    aged = [(n, d + after, c) for n, d, c in ninety.annotate(c=Count("id"))]
    _add(rows, "active_after_90", aged, since, until)


def _application_flows(rows: Rows, decisions: Waits, since: date, until: date) -> None:
    start = _start_of(since)
    submitted = (
        MembershipApplication.objects.filter(submitted_at__gte=start)
        .annotate(d=_day("submitted_at"))
        .values_list("network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "applications", submitted, since, until)
    decided = MembershipApplication.objects.filter(decided_at__gte=start).annotate(
        d=_day("decided_at")
    )
    for status in (App.APPROVED, App.REJECTED, App.WITHDRAWN):
        counts = (
            decided.filter(status=status).values_list("network_id", "d").annotate(n=Count("id"))
        )
        _add(rows, str(status), counts, since, until)
    waits = (
        decided.filter(status__in=[App.APPROVED, App.REJECTED])
        .annotate(
            wait=ExpressionWrapper(
                _day("decided_at") - _day("submitted_at"), output_field=DurationField()
            )
        )
        .values_list("network_id", "d", "wait")
        .annotate(n=Count("id"))
    )
    for network_id, day, wait, count in waits:
        if since <= day <= until:
            decisions[(network_id, day)][str(_whole_days(wait))] += count


def _whole_days(wait: timedelta | int) -> int:
    # SQLite hands back microseconds where PostgreSQL hands back a timedelta.
    if isinstance(wait, timedelta):
        return max(wait.days, 0)
    return max(int(wait) // 86_400_000_000, 0)


def _invitation_flows(rows: Rows, since: date, until: date) -> None:
    start = _start_of(since)
    # Sent means delivered: an invitation whose email never left (queued, failed, dropped for
    # an opt-out) was not sent, whatever the coordinator asked.
    sent = (
        Invitation.objects.filter(outbox_delivered(via="email_message"), created_at__gte=start)
        .annotate(d=_day("created_at"))
        .values_list("network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "invitations_sent", sent, since, until)
    applied = (
        Invitation.objects.filter(application__submitted_at__gte=start)
        .annotate(d=_day("application__submitted_at"))
        .values_list("network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "invitations_applied", applied, since, until)
    joined = (
        Invitation.objects.filter(
            application__status=App.APPROVED, application__decided_at__gte=start
        )
        .annotate(d=_day("application__decided_at"))
        .values_list("network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "invitations_joined", joined, since, until)


def _attended(now: datetime) -> Q:
    """A check-in counts as attendance once its event has started, on the event's day: a tap
    at the door hours (or, before check-in had a window, weeks) early is not yet attendance."""
    return Q(
        checked_in_at__isnull=False,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__lte=now,
    )


def _event_flows(rows: Rows, since: date, until: date, now: datetime) -> None:
    start, end = _start_of(since), _start_of(until + timedelta(days=1))
    held = Event.objects.filter(
        status=Event.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=end, starts_at__lte=now
    )
    counts = held.annotate(d=_day("starts_at")).values_list("network_id", "d")
    _add(rows, "events_held", counts.annotate(n=Count("id")), since, until)
    R = Registration.Status
    places = (
        Registration.objects.filter(event__in=held)
        .annotate(d=_day("event__starts_at"))
        .values_list("event__network_id", "d")
    )
    for metric, condition in (
        ("registrations", Q(status=R.CONFIRMED)),
        ("attended", Q(status=R.CONFIRMED, checked_in_at__isnull=False)),
        ("walk_ins", Q(status=R.WALK_IN)),
    ):
        _add(rows, metric, places.filter(condition).annotate(n=Count("id")), since, until)
    _attendance_flows(rows, since, until, start, end, now)


def _attendance_flows(
    rows: Rows, since: date, until: date, start: datetime, end: datetime, now: datetime
) -> None:
    """Members' attendance at events their network does not host, and first attendances."""
    hosted_by_home = Event.hosts.through.objects.filter(
        event_id=OuterRef("event_id"), network_id=OuterRef("home")
    )
    away = (
        Registration.objects.filter(
            _attended(now), event__starts_at__gte=start, event__starts_at__lt=end
        )
        # One join to the person's memberships, named once: the home network and its status
        # must come from the same membership row.
        .annotate(
            home=F("user__memberships__network_id"), home_status=F("user__memberships__status")
        )
        .filter(home_status=Membership.Status.ACTIVE)
        .exclude(Exists(hosted_by_home))
        .annotate(d=_day("event__starts_at"))
        .values_list("home", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "attended_elsewhere", away, since, until)
    first = (
        Registration.objects.filter(_attended(now), user=OuterRef("user"))
        .order_by("event__starts_at")
        .values("event__starts_at")[:1]
    )
    firsts = (
        Membership.objects.annotate(first=Subquery(first))
        .filter(first__gte=start, first__lt=end)
        .annotate(d=_day("first"))
        .values_list("network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "first_event", firsts, since, until)


def stats_rebuild(*, since: date | None = None, kind: str = "rebuild") -> int:
    """Recompute the day rows from ``since`` (or the first recorded day) to today."""
    began = time.monotonic()
    now = timezone.now()
    until = timezone.localdate(now)
    with scopes_disabled():
        first = since or _first_day() or until
        rows: Rows = defaultdict(lambda: defaultdict(int))
        decisions: Waits = defaultdict(lambda: defaultdict(int))
        _membership_flows(rows, first, until)
        _application_flows(rows, decisions, first, until)
        _invitation_flows(rows, first, until)
        _event_flows(rows, first, until, now)
        _ties_flows(rows, first, until)
        with transaction.atomic():
            _one_at_a_time()
            NetworkDay.objects.filter(day__gte=first).delete()
            DecisionDays.objects.filter(day__gte=first).delete()
            NetworkDay.objects.bulk_create(
                [NetworkDay(network_id=n, day=d, **m) for (n, d), m in rows.items()],
                batch_size=1000,
            )
            DecisionDays.objects.bulk_create(
                [
                    DecisionDays(network_id=n, day=d, days=int(w), count=c)
                    for (n, d), waits in decisions.items()
                    for w, c in waits.items()
                ],
                batch_size=1000,
            )
            _snapshot(now)
            Refresh.objects.create(
                kind=kind, covers_until=now, rows=len(rows),
                seconds=round(time.monotonic() - began, 3),
            )  # fmt: skip
    return len(rows)


REBUILD_LOCK = 7_001  # an arbitrary, fixed key for PostgreSQL's advisory lock


def _one_at_a_time() -> None:
    """The nightly rebuild and a 5-minute refresh may overlap: the second waits for the first,
    so it deletes the rows the first inserted instead of colliding with them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])


def stats_refresh_recent() -> int:
    """Every five minutes: the last few days, and the snapshot of the present."""
    today = timezone.localdate()
    return stats_rebuild(since=today - timedelta(days=RECENT_DAYS - 1), kind="recent")


def stats_refreshed_within(*, seconds: float) -> bool:
    """Whether the figures were computed in the last ``seconds`` (a second click waits)."""
    since = timezone.now() - timedelta(seconds=seconds)
    return Refresh.objects.filter(finished_at__gte=since).exists()


TIES_MODELS = (Connection, Post, Introduction, OneToOne, Referral)


def _first_day() -> date | None:
    candidates = [
        Membership.objects.order_by("joined_on").values_list("joined_on", flat=True).first(),
        _local(MembershipApplication.objects.all(), "submitted_at"),
        _local(Invitation.objects.all(), "created_at"),
        _local(Event.objects.all(), "starts_at"),  # attendance is dated by its event's start
        # Business between members is dated by when it was recorded (a referral closes later).
        *(_local(model.objects.all(), "created_at") for model in TIES_MODELS),
    ]
    days = [d for d in candidates if d is not None]
    return min(days) if days else None


def _local(queryset: QuerySet, field: str) -> date | None:
    first = queryset.order_by(field).values_list(field, flat=True).first()
    return timezone.localdate(first) if first else None


def _snapshot(now: datetime) -> None:
    """Pending applications by age and members seen at an event lately, per network."""
    open_apps = MembershipApplication.objects.filter(status__in=MembershipApplication.OPEN)
    bounds = [now - timedelta(days=days) for days in AGE_BUCKETS]
    ages = {
        row["network_id"]: row
        for row in open_apps.values("network_id").annotate(
            total=Count("id"),
            a0=Count("id", filter=Q(submitted_at__gt=bounds[0])),
            a1=Count("id", filter=Q(submitted_at__lte=bounds[0], submitted_at__gt=bounds[1])),
            a2=Count("id", filter=Q(submitted_at__lte=bounds[1], submitted_at__gt=bounds[2])),
            a3=Count("id", filter=Q(submitted_at__lte=bounds[2])),
        )
    }
    since = now - timedelta(days=ATTENDED_DAYS)
    recent = Registration.objects.filter(
        _attended(now), user=OuterRef("user"), event__starts_at__gt=since
    )
    today = timezone.localdate(now)
    counted = Q(status=Membership.Status.ACTIVE) & ~_expired(today)  # as members_active counts
    seen = dict(
        Membership.objects.filter(counted)
        .filter(Exists(recent))
        .values_list("network_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    unconnected = _unconnected(today)
    snapshots = []
    for network_id in Network.objects.values_list("id", flat=True):
        row = ages.get(network_id, {})
        buckets = [row.get(f"a{i}", 0) for i in range(4)]
        snapshots.append(
            NetworkSnapshot(
                network_id=network_id, taken_at=now, pending=row.get("total", 0),
                waiting_over_14=buckets[2] + buckets[3], pending_ages=buckets,
                attended_last_90=seen.get(network_id, 0),
                unconnected_30=unconnected.get(network_id, 0),
            )
        )  # fmt: skip
    NetworkSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["network"],
        update_fields=[
            "taken_at",
            "pending",
            "waiting_over_14",
            "pending_ages",
            "attended_last_90",
            "unconnected_30",
        ],
    )


def _unconnected(today: date) -> dict[int, int]:
    """Members who joined long enough ago and have no connection yet, per network: the same
    members the coordinators' list names."""
    members = unconnected_memberships(today=today)
    return dict(members.values_list("network_id").annotate(n=Count("id")))


# --- Business between members (ties) ---------------------------------------------------------


def _ties_flows(rows: Rows, since: date, until: date) -> None:
    start, end = _start_of(since), _start_of(until + timedelta(days=1))
    _connection_flows(rows, since, until, start, end)
    _cohort_flows(rows, since, until)
    _activity_flows(rows, since, until, start)
    _first_collaborations(rows, since, until)


def _connection_flows(rows: Rows, since: date, until: date, start: datetime, end: datetime) -> None:
    """Each connection counts once per side that is an active member, in that side's network;
    "cross" when the other side is not an active member of the same network."""
    made = Connection.objects.filter(created_at__gte=start)
    active = Membership.Status.ACTIVE
    for side, other in (("user_low", "user_high"), ("user_high", "user_low")):
        ends = (
            # One join to the side's memberships, named once (as in _attendance_flows).
            made.annotate(
                home=F(f"{side}__memberships__network_id"),
                home_status=F(f"{side}__memberships__status"),
            )
            .filter(home_status=active)
            .annotate(d=_day("created_at"))
        )
        both = Membership.objects.filter(
            network_id=OuterRef("home"), user_id=OuterRef(f"{other}_id"), status=active
        )
        _add(
            rows, "connections", ends.values_list("home", "d").annotate(n=Count("id")), since, until
        )
        cross = ends.exclude(Exists(both)).values_list("home", "d").annotate(n=Count("id"))
        _add(rows, "connections_cross", cross, since, until)
    at_events = (
        Connection.objects.filter(
            origin=Origin.EVENT, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .annotate(d=_day("event__starts_at"))
        .values_list("event__network_id", "d")
        .annotate(n=Count("id"))
    )
    _add(rows, "event_connections", at_events, since, until)


def _first_connection() -> Subquery:
    either_side = Q(user_low=OuterRef("user")) | Q(user_high=OuterRef("user"))
    first = Connection.objects.filter(either_side).order_by("created_at").values("created_at")
    return Subquery(first[:1])


def _cohort_flows(rows: Rows, since: date, until: date) -> None:
    """On a membership's 30th (90th) day: one more reached it, and one more connected if the
    person had a connection by then. Dated by that day, so each period holds whole cohorts."""
    longest = timedelta(days=max(CONNECTED_WITHIN))
    cohort = (
        Membership.objects.exclude(_ended_undated(until))
        .filter(joined_on__gte=since - longest, joined_on__lte=until)
        .annotate(first=_day(Subquery(_first_connection())))  # type: ignore[arg-type]
        .values_list("network_id", "joined_on", "first")
        .annotate(n=Count("id"))
    )
    for network_id, joined_on, first, count in cohort:
        for days in CONNECTED_WITHIN:
            mark = joined_on + timedelta(days=days)
            if not since <= mark <= until:
                continue
            rows[(network_id, mark)][f"reached_{days}"] += count
            if first is not None and first <= mark:
                rows[(network_id, mark)][f"connected_{days}"] += count


def _activity_flows(rows: Rows, since: date, until: date, start: datetime) -> None:
    asks = Post.objects.filter(kind=Post.Kind.ASK, created_at__gte=start).annotate(
        d=_day("created_at")
    )
    _add(
        rows,
        "asks_posted",
        asks.values_list("network_id", "d").annotate(n=Count("id")),
        since,
        until,
    )
    within = ExpressionWrapper(
        OuterRef("created_at") + timedelta(days=ANSWERED_WITHIN_DAYS), output_field=DateTimeField()
    )
    answer = Answer.objects.filter(post=OuterRef("pk"), created_at__lt=within).exclude(
        author=OuterRef("author")
    )
    answered = asks.filter(Exists(answer)).values_list("network_id", "d").annotate(n=Count("id"))
    _add(rows, "asks_answered_7", answered, since, until)
    for metric, queryset, field in (
        ("introductions_made", Introduction.objects.all(), "created_at"),
        ("introductions_accepted", Introduction.objects.all(), "accepted_at"),
        ("one_to_ones", OneToOne.objects.all(), "confirmed_at"),
        ("referrals_passed", Referral.objects.all(), "created_at"),
    ):
        counts = (
            queryset.filter(**{f"{field}__gte": start})
            .annotate(d=_day(field))
            .values_list("network_id", "d")
            .annotate(n=Count("id"))
        )
        _add(rows, metric, counts, since, until)
    won = (
        Referral.objects.filter(status=Referral.Status.WON, closed_on__gte=since)
        .values_list("network_id", "closed_on")
        .annotate(n=Count("id"), value=Sum("won_value"))
    )
    for network_id, day, count, value in won:
        if since <= day <= until:
            rows[(network_id, day)]["referrals_won"] += count
            rows[(network_id, day)]["referral_value_won"] += value or 0


NEVER = date(9999, 12, 31)  # stands for "no such date" where SQL's LEAST() must not see NULL


def _first_collaborations(rows: Rows, since: date, until: date) -> None:
    """Members whose first real collaboration (a won referral, an accepted introduction, a
    confirmed one-to-one; in any network) happened that day, counted in each of their networks
    as ``first_event`` is."""
    Status = Referral.Status

    def first(queryset: QuerySet, person: str, day: Any) -> Coalesce:
        dated = queryset.filter(**{person: OuterRef("user")}).annotate(d=day).order_by("d")
        return Coalesce(Subquery(dated.values("d")[:1]), Value(NEVER), output_field=DateField())

    accepted = Introduction.objects.filter(accepted_at__isnull=False)
    confirmed = OneToOne.objects.filter(confirmed_at__isnull=False)
    won = Referral.objects.filter(status=Status.WON, closed_on__isnull=False)
    earliest = Least(
        first(won, "giver", F("closed_on")),
        first(won, "receiver", F("closed_on")),
        first(accepted, "first", _day("accepted_at")),
        first(accepted, "second", _day("accepted_at")),
        first(confirmed, "recorded_by", _day("confirmed_at")),
        first(confirmed, "other", _day("confirmed_at")),
        output_field=DateField(),
    )
    firsts = (
        Membership.objects.annotate(first=earliest)
        .filter(first__gte=since, first__lte=until)
        .values_list("network_id", "first")
        .annotate(n=Count("id"))
    )
    _add(rows, "first_collaboration", firsts, since, until)
