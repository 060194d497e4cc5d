"""Reads about applications: the applicant's own list and the coordinators' review queue."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import (
    ApplicationQuestion,
    DecisionLogEntry,
    Endorsement,
    MembershipApplication,
    Profile,
    User,
)
from members.selectors.accounts import email_verified_expression
from networks.inputs import query_int
from networks.models import Membership, Network
from networks.paging import Page, TwoWayPage, keyset_page, keyset_page_before

Status = MembershipApplication.Status
OPEN = list(MembershipApplication.OPEN)
PAGE_SIZE = 25
MAX_TERMS = 5


def user_application_list(*, user: Any) -> list[MembershipApplication]:
    """Cross-network, for the person themself: their applications in every network."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            MembershipApplication.objects.filter(user=user)
            .select_related("network")
            .order_by("-submitted_at")[:50]
        )


def user_application_get(*, user: Any, application_id: int) -> MembershipApplication | None:
    """Cross-network, for the person themself: one of their own applications, else None."""
    with scopes_disabled():
        return (
            MembershipApplication.objects.filter(user=user, pk=application_id)
            .select_related("network")
            .first()
        )


def applications_waiting_for(*, coordinator: Any) -> dict[int, int]:
    """Cross-network, for a coordinator's home page: how many applications wait for a
    decision in each network they coordinate today (network id to count; none: absent)."""
    if not coordinator.is_authenticated:
        return {}
    with scopes_disabled():
        coordinated = Membership.objects.filter(
            user=coordinator, role=Membership.Role.COORDINATOR, status=Membership.Status.ACTIVE
        ).values("network_id")
        rows = (
            MembershipApplication.objects.filter(network_id__in=coordinated, status=Status.PENDING)
            .values("network_id")
            .annotate(count=Count("id"))
            .order_by()
        )
        return {row["network_id"]: row["count"] for row in rows}


def network_questions(*, network: Network) -> list[ApplicationQuestion]:
    return list(ApplicationQuestion.objects.filter(network=network, active=True))


def application_counts(*, network: Network) -> dict[str, int]:
    """How many applications sit in each state, in one GROUP BY-free aggregate."""
    return MembershipApplication.objects.filter(network=network).aggregate(
        **{state: Count("id", filter=Q(status=state)) for state in Status.values}
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = Status.PENDING
    sector: str = ""
    older_than_days: int | None = None
    sponsored: bool | None = None
    query: str = ""  # words each found in the applicant's name or email


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the last row of the previous page, in queue order."""

    sort_at: datetime
    pk: int

    def encode(self) -> str:
        return f"{self.sort_at.timestamp():.6f}_{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> "Cursor | None":
        stamp, _, pk = raw.partition("_")
        row_id = query_int(pk)
        if row_id is None:
            return None
        try:
            return cls(datetime.fromtimestamp(float(stamp), tz=UTC), row_id)
        except (ValueError, OverflowError, OSError):
            return None


def _warnings(network: Network) -> dict[str, Any]:
    """Cross-network: flags for the reviewer, computed inside the page's one query.

    Only yes/no facts leave here (member or applicant elsewhere, a look-alike account, a member
    in the same sector), never which other network or who.
    """
    applicant = OuterRef("user_id")
    with scopes_disabled():
        elsewhere_member = Membership.objects.filter(user_id=applicant).exclude(network=network)
        elsewhere_applicant = MembershipApplication.objects.filter(
            user_id=applicant, status__in=OPEN
        ).exclude(network=network)
        same_sector = Membership.objects.filter(
            network=network,
            status=Membership.Status.ACTIVE,
            user__profile__sector=OuterRef("user__profile__sector"),
        ).exclude(user__profile__sector="")
    look_alike = User.objects.filter(
        first_name__iexact=OuterRef("user__first_name"),
        last_name__iexact=OuterRef("user__last_name"),
        profile__company__iexact=OuterRef("user__profile__company"),
    ).exclude(pk=applicant)
    flags = {
        "member_elsewhere": Exists(elsewhere_member),
        "applicant_elsewhere": Exists(elsewhere_applicant),
        "look_alike": Exists(look_alike),
    }
    if network.one_per_sector:
        flags["sector_taken"] = Exists(same_sector)
    return flags


def review_queue(
    *,
    network: Network,
    filters: QueueFilters,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> TwoWayPage[MembershipApplication]:
    """One page of the queue, oldest first, with answers, sponsor, endorsements and warnings.

    Paged both ways: ``after`` the last row of the page before, or ``before`` the first row of
    the page after (the "previous page" link).
    """
    # Both kinds of waiting list in the order people started waiting, the order places go in.
    waiting = (Status.WAITLISTED, Status.APPROVED_WAITING)
    sort_field = "waitlisted_at" if filters.status in waiting else "submitted_at"
    rows = _queue_rows(network, filters)

    def cursor_of(row: MembershipApplication) -> str:
        return Cursor(getattr(row, sort_field), row.pk).encode()

    if before is not None:
        rows = rows.filter(
            Q(**{f"{sort_field}__lt": before.sort_at})
            | Q(**{sort_field: before.sort_at, "id__lt": before.pk})
        )
        backwards = rows.order_by(f"-{sort_field}", "-id")
        return keyset_page_before(backwards, size=PAGE_SIZE, cursor_of=cursor_of)
    if after is not None:
        rows = rows.filter(
            Q(**{f"{sort_field}__gt": after.sort_at})
            | Q(**{sort_field: after.sort_at, "id__gt": after.pk})
        )
    page = keyset_page(rows.order_by(sort_field, "id"), size=PAGE_SIZE, cursor_of=cursor_of)
    # Reached by "next": the rows before this page's first one make the previous page.
    previous = cursor_of(page.rows[0]) if after is not None and page.rows else None
    return TwoWayPage(page.rows, page.next_cursor, previous)


def _queue_rows(network: Network, filters: QueueFilters) -> QuerySet[MembershipApplication]:
    rows: QuerySet[MembershipApplication] = (
        MembershipApplication.objects.filter(network=network, status=filters.status)
        .select_related("user", "user__profile", "sponsor")
        .annotate(**_warnings(network))
        .prefetch_related(
            Prefetch(
                "endorsements",
                queryset=Endorsement.objects.filter(network=network)
                .select_related("endorser")
                .order_by("created_at"),
            )
        )
    )
    for term in filters.query.lower().split()[:MAX_TERMS]:
        rows = rows.filter(
            Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    if filters.sector:
        rows = rows.filter(user__profile__sector=filters.sector)
    if filters.older_than_days:
        rows = rows.filter(
            submitted_at__lt=timezone.now() - timedelta(days=filters.older_than_days)
        )
    if filters.sponsored is not None:
        rows = rows.filter(sponsor__isnull=not filters.sponsored)
    return rows


def pending_applicants(
    *, network: Network, endorser: User, before_id: int | None = None
) -> Page[MembershipApplication]:
    """Pending applicants members may vouch for, newest first, with "already endorsed"."""
    rows = (
        MembershipApplication.objects.filter(network=network, status=Status.PENDING)
        .exclude(user=endorser)
        .select_related("user", "user__profile")
        .annotate(
            endorsed=Exists(
                Endorsement.objects.filter(application=OuterRef("pk"), endorser=endorser)
            )
        )
        .order_by("-id")
    )
    if before_id:
        rows = rows.filter(id__lt=before_id)
    return keyset_page(rows, size=PAGE_SIZE, cursor_of=lambda row: str(row.pk))


@dataclass(frozen=True)
class ApplicantState:
    verified: bool
    open_application_id: int | None
    open_application_status: str | None
    profile: Profile | None


def applicant_state(*, network: Network, user: User) -> ApplicantState:
    """What the apply page needs to know about the visitor, in one query."""
    open_application = MembershipApplication.objects.filter(
        network=network, user=OuterRef("pk"), status__in=OPEN
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            verified=email_verified_expression(),
            open_application_id=Subquery(open_application.values("pk")[:1]),
            open_application_status=Subquery(open_application.values("status")[:1]),
        )
        .select_related("profile")
        .get()
    )
    return ApplicantState(
        verified=row.verified,
        open_application_id=row.open_application_id,
        open_application_status=row.open_application_status,
        profile=getattr(row, "profile", None),
    )


@dataclass(frozen=True)
class UndoOffer:
    key: str
    count: int
    until: datetime


def undo_offer(*, network: Network, key: str, user: Any) -> UndoOffer | None:
    """The "Undo" a page offers after a decision of ``user``'s, while the minute lasts."""
    if not DecisionLogEntry.is_decision_key(key):
        return None
    undone = Q(action=DecisionLogEntry.Action.UNDONE)
    stats = DecisionLogEntry.objects.filter(
        network=network, decision_key=key, actor=user
    ).aggregate(
        count=Count("id", filter=~undone & Q(previous__isnull=False)),
        undone=Count("id", filter=undone),
        at=Max("created_at"),
    )
    if not stats["count"] or stats["undone"]:
        return None
    until = stats["at"] + DecisionLogEntry.UNDO_WINDOW
    return UndoOffer(key=key, count=stats["count"], until=until) if until > timezone.now() else None
