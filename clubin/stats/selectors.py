"""The dashboards' figures, summed from the rollups in five queries whatever the data size.

Every figure is an aggregate: counts, rates and durations per network and for the federation.
Nothing here reads a name or an address.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_scopes import scopes_disabled

from clubin.stats.models import AMOUNTS, FLOWS, DecisionDays, NetworkDay, NetworkSnapshot
from clubin.stats.services import WAITING_LONG_DAYS
from networks.models import Membership, Network

NO_EVENT_DAYS = 60
FELL_SINCE_DAYS = 30  # members now against members this many days before the period's end


@dataclass(frozen=True)
class Period:
    key: str  # 30d, 90d, 12m or custom
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_for(
    key: str, *, today: date | None = None, start: date | None = None, end: date | None = None
) -> Period:
    today = today or timezone.localdate()
    if key == "custom" and start and end:
        return Period("custom", start, end)
    lengths = {"30d": 30, "90d": 90, "12m": 365}
    key = key if key in lengths else "30d"
    return Period(key, today - timedelta(days=lengths[key] - 1), today)


@dataclass
class Figures:
    """One row of the dashboard: a network, or the federation's totals (``slug`` empty)."""

    slug: str = ""
    name: str = ""
    region: str = ""
    status: str = ""
    coordinators: int = 0
    members_active: int = 0
    members_30_days_before: int = 0
    aspiring: int = 0
    new_members: int = 0
    applications: int = 0
    approved: int = 0
    rejected: int = 0
    approval_rate: float | None = None
    median_days: int | None = None
    p90_days: int | None = None
    waiting_over_14: int = 0
    invitations_sent: int = 0
    invitations_applied: int = 0
    invitations_joined: int = 0
    invitation_application_share: float | None = None
    invitation_member_share: float | None = None
    events_held: int = 0
    registrations: int = 0
    attended: int = 0
    walk_ins: int = 0
    attendance_rate: float | None = None
    attended_last_90: int = 0
    attended_last_90_share: float | None = None
    attended_elsewhere: int = 0
    first_event: int = 0
    active_after_90: int = 0
    last_event_day: date | None = None
    pending_ages: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    # Business between members (ties).
    connections: int = 0  # made in the period, once per side that is a member
    connections_total: int = 0  # made up to the period's end, by current members
    connections_per_member: float | None = None
    connections_cross: int = 0
    connections_cross_share: float | None = None
    event_connections: int = 0
    connections_per_event: float | None = None
    reached_30: int = 0
    connected_30: int = 0
    connected_30_share: float | None = None
    reached_90: int = 0
    connected_90: int = 0
    connected_90_share: float | None = None
    asks_posted: int = 0
    asks_answered_7: int = 0
    asks_answered_share: float | None = None
    introductions_made: int = 0
    introductions_accepted: int = 0
    one_to_ones: int = 0
    referrals_passed: int = 0
    referrals_won: int = 0
    referral_value_won: Decimal = Decimal(0)
    first_collaboration: int = 0
    unconnected_30: int = 0
    waits: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def status_display(self) -> str:
        return str(Network.Status(self.status).label) if self.status else ""

    def as_export(self) -> dict[str, Any]:
        data = asdict(self)
        for private in ("waits", "members_30_days_before"):
            data.pop(private)
        data["last_event_day"] = self.last_event_day.isoformat() if self.last_event_day else None
        data["referral_value_won"] = f"{self.referral_value_won:.2f}"  # money: exact, as text
        return data


@dataclass
class Alert:
    kind: str  # waiting, no_event, membership_fell
    network: str
    value: int
    days: int  # the rule's span, as the alert's text says it


@dataclass
class Dashboard:
    period: Period
    rows: list[Figures]
    totals: Figures  # of the rows shown
    federation: Figures  # of every network, whatever is shown
    alerts: list[Alert]
    charts: dict[str, Any]
    as_of: datetime | None
    regions: list[str]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percentile(waits: dict[int, int], share: float) -> int | None:
    """Nearest rank: the smallest wait that at least ``share`` of the decisions did not exceed."""
    total = sum(waits.values())
    if not total:
        return None
    rank, seen = math.ceil(share * total), 0
    for days in sorted(waits):
        seen += waits[days]
        if seen >= rank:
            return days
    return None


def _finish(row: Figures) -> Figures:
    row.approval_rate = _ratio(row.approved, row.approved + row.rejected)
    row.median_days = _percentile(row.waits, 0.5)
    row.p90_days = _percentile(row.waits, 0.9)
    row.invitation_application_share = _ratio(row.invitations_applied, row.invitations_sent)
    row.invitation_member_share = _ratio(row.invitations_joined, row.invitations_sent)
    row.attendance_rate = _ratio(row.attended, row.registrations)
    row.attended_last_90_share = _ratio(row.attended_last_90, row.members_active)
    row.connections_per_member = _ratio(row.connections_total, row.members_active)
    row.connections_cross_share = _ratio(row.connections_cross, row.connections)
    row.connections_per_event = _ratio(row.event_connections, row.events_held)
    row.connected_30_share = _ratio(row.connected_30, row.reached_30)
    row.connected_90_share = _ratio(row.connected_90, row.reached_90)
    row.asks_answered_share = _ratio(row.asks_answered_7, row.asks_posted)
    return row


def _sums(period: Period) -> dict[int, dict[str, Any]]:
    month_ago = period.end - timedelta(days=FELL_SINCE_DAYS)
    in_period = Q(day__gte=period.start)
    sums = {f"p_{metric}": Sum(metric, filter=in_period) for metric in (*FLOWS, *AMOUNTS)}
    closed = F("approved") + F("rejected") + F("withdrawn")
    rows = (
        NetworkDay.objects.filter(day__lte=period.end)
        .values("network_id")
        .annotate(
            **sums,
            joined=Sum("members_joined"),
            left=Sum("members_left"),
            joined_before=Sum("members_joined", filter=Q(day__lte=month_ago)),
            left_before=Sum("members_left", filter=Q(day__lte=month_ago)),
            submitted=Sum("applications"),
            closed=Sum(closed),
            last_event=Max("day", filter=Q(events_held__gt=0)),
            connections_total=Sum("connections"),
        )
    )
    return {row.pop("network_id"): row for row in rows}


def _waits(period: Period) -> dict[int, dict[int, int]]:
    waits: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        DecisionDays.objects.filter(day__gte=period.start, day__lte=period.end)
        .values_list("network_id", "days")
        .annotate(n=Sum("count"))
    )
    for network_id, days, count in rows:
        waits[network_id][days] = count
    return waits


def _row(
    network: Network, sums: dict, waits: dict[int, int], snapshot: NetworkSnapshot | None
) -> Figures:
    def flow(name: str) -> int:
        return sums.get(f"p_{name}") or 0

    def total(name: str) -> int:
        return sums.get(name) or 0

    row = Figures(
        slug=network.slug, name=network.name, region=network.region, status=network.status,
        coordinators=network.coordinators,  # type: ignore[attr-defined]
        members_active=total("joined") - total("left"),
        members_30_days_before=total("joined_before") - total("left_before"),
        aspiring=total("submitted") - total("closed"),
        new_members=flow("members_joined"), applications=flow("applications"),
        approved=flow("approved"), rejected=flow("rejected"),
        invitations_sent=flow("invitations_sent"),
        invitations_applied=flow("invitations_applied"),
        invitations_joined=flow("invitations_joined"),
        events_held=flow("events_held"), registrations=flow("registrations"),
        attended=flow("attended"), walk_ins=flow("walk_ins"),
        attended_elsewhere=flow("attended_elsewhere"), first_event=flow("first_event"),
        active_after_90=flow("active_after_90"), last_event_day=sums.get("last_event"),
        waits=waits, connections_total=total("connections_total"),
        referral_value_won=sums.get("p_referral_value_won") or Decimal(0),
    )  # fmt: skip
    for name in TIES_FLOWS:
        setattr(row, name, flow(name))
    if snapshot is not None:
        row.waiting_over_14 = snapshot.waiting_over_14
        row.attended_last_90 = snapshot.attended_last_90
        row.pending_ages = list(snapshot.pending_ages or [0, 0, 0, 0])
        row.unconnected_30 = snapshot.unconnected_30
    return _finish(row)


TIES_FLOWS = (
    "connections", "connections_cross", "event_connections", "reached_30", "connected_30",
    "reached_90", "connected_90", "asks_posted", "asks_answered_7", "introductions_made",
    "introductions_accepted", "one_to_ones", "referrals_passed", "referrals_won",
    "first_collaboration",
)  # fmt: skip

ADDITIVE = (
    "coordinators", "members_active", "members_30_days_before", "aspiring", "new_members",
    "applications", "approved", "rejected", "waiting_over_14", "invitations_sent",
    "invitations_applied", "invitations_joined", "events_held", "registrations", "attended",
    "walk_ins", "attended_last_90", "attended_elsewhere", "first_event", "active_after_90",
    *TIES_FLOWS, "connections_total", "referral_value_won", "unconnected_30",
)  # fmt: skip


def _totals(rows: list[Figures]) -> Figures:
    totals = Figures(name="")
    for row in rows:
        for name in ADDITIVE:
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
        for days, count in row.waits.items():
            totals.waits[days] = totals.waits.get(days, 0) + count
        totals.pending_ages = [
            a + b for a, b in zip(totals.pending_ages, row.pending_ages, strict=True)
        ]
        if row.last_event_day and (
            totals.last_event_day is None or row.last_event_day > totals.last_event_day
        ):
            totals.last_event_day = row.last_event_day
    return _finish(totals)


def _alerts(rows: list[Figures], today: date) -> list[Alert]:
    alerts = []
    for row in rows:
        if row.waiting_over_14:
            alerts.append(Alert("waiting", row.name, row.waiting_over_14, WAITING_LONG_DAYS))
        if row.last_event_day is None or (today - row.last_event_day).days > NO_EVENT_DAYS:
            alerts.append(Alert("no_event", row.name, NO_EVENT_DAYS, NO_EVENT_DAYS))
        if row.members_active < row.members_30_days_before:
            alerts.append(
                Alert(
                    "membership_fell",
                    row.name,
                    row.members_30_days_before - row.members_active,
                    FELL_SINCE_DAYS,
                )
            )
    return alerts


def _months(end: date, count: int = 12) -> list[date]:
    first = end.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _series(period: Period, rows: list[Figures], ids: dict[str, int]) -> dict[str, Any]:
    """Members at each month's end per network, applications and decisions per month."""
    months = _months(period.end)
    monthly = (
        NetworkDay.objects.filter(day__gte=months[0], day__lte=period.end)
        .annotate(month=TruncMonth("day"))
        .values_list("network_id", "month")
        .annotate(
            net=Sum(F("members_joined") - F("members_left")),
            applications=Sum("applications"),
            approved=Sum("approved"),
            rejected=Sum("rejected"),
        )
    )
    by_month: dict[int, dict[date, tuple]] = defaultdict(dict)
    for network_id, month, *values in monthly:
        month = month.date() if isinstance(month, datetime) else month
        by_month[network_id][month] = tuple(v or 0 for v in values)
    labels = [m.strftime("%Y-%m") for m in months]
    members = {}
    flows = {"applications": [0] * len(months), "approved": [0] * len(months),
             "rejected": [0] * len(months)}  # fmt: skip
    for row in rows:
        data = by_month.get(ids[row.slug], {})
        level, points = row.members_active, []
        for month in reversed(months):  # walk back from the end: undo each month's net change
            points.append(level)
            level -= data.get(month, (0, 0, 0, 0))[0]
        members[row.name] = list(reversed(points))
        for i, month in enumerate(months):
            _net, applications, approved, rejected = data.get(month, (0, 0, 0, 0))
            flows["applications"][i] += applications
            flows["approved"][i] += approved
            flows["rejected"][i] += rejected
    return {"months": labels, "members": members, **flows}


FUNNEL = (
    "invitations_sent", "applications", "approved", "first_event", "active_after_90",
    "first_collaboration",
)  # fmt: skip


def funnel(row: Figures) -> list[int]:
    return [getattr(row, step) for step in FUNNEL]


def dashboard(*, period: Period, region: str = "", only: Network | None = None) -> Dashboard:
    """The federation's figures (or, with ``only``, one network's next to the federation's)."""
    with scopes_disabled():
        networks = list(
            Network.objects.annotate(
                coordinators=Count(
                    "memberships",
                    filter=Q(
                        memberships__role=Membership.Role.COORDINATOR,
                        memberships__status=Membership.Status.ACTIVE,
                    ),
                )
            ).order_by("name")
        )
        sums, waits = _sums(period), _waits(period)
        snapshots = {s.network_id: s for s in NetworkSnapshot.objects.all()}
        rows = [
            _row(n, sums.get(n.pk, {}), waits.get(n.pk, {}), snapshots.get(n.pk)) for n in networks
        ]
        federation = _totals(rows)
        if only is not None:
            rows = [row for row in rows if row.slug == only.slug]
        elif region:
            rows = [row for row in rows if row.region == region]
        ids = {n.slug: n.pk for n in networks}
        charts = _series(period, rows, ids)
    totals = federation if only is None and not region else _totals(rows)
    charts["funnel"] = {"steps": list(FUNNEL), "values": funnel(totals)}
    as_of = min((s.taken_at for s in snapshots.values()), default=None)
    return Dashboard(
        period, rows, totals, federation, _alerts(rows, period.end), charts, as_of,
        sorted({n.region for n in networks}),
    )  # fmt: skip
