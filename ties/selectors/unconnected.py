"""Members nobody has connected with yet, for the network's coordinators.

A member who joined at least UNCONNECTED_AFTER_DAYS ago, whose card is valid today, and who has
no connection at all, with anyone, in any network, is the one a coordinator should bring to an
event or put in touch. Connections are not a network's rows, so "at all" is literal: a
connection begun in another network counts. Hidden profiles are listed: coordinators see their
own members.

"No connection" is two NOT EXISTS, one per column of the pair, each served by an index
(``user_low`` leads the pair's unique constraint; ``user_high`` has its own).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from members.models import Profile, Sector
from networks.inputs import query_int
from networks.models import Membership, Network
from networks.paging import Page, keyset_page
from ties.models import Connection

UNCONNECTED_AFTER_DAYS = 30
UNCONNECTED_PAGE_SIZE = 25


@dataclass(frozen=True, kw_only=True)
class UnconnectedMember:
    membership_id: int
    user_id: int
    name: str
    email: str  # coordinators see their members' addresses, as on the roster
    company: str
    sector: str  # the label, in the current language
    joined_on: date
    hidden: bool  # a hidden profile: nobody can pick them in a form, only write to them


@dataclass(frozen=True)
class JoinedCursor:
    """Keyset position, oldest joiners first: the last row shown."""

    joined_on: date
    pk: int

    def encode(self) -> str:
        return f"{self.joined_on.toordinal()}_{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> "JoinedCursor | None":
        """The position in ``raw``, or None (the first page) for anything malformed."""
        day, _sep, pk = (raw or "").partition("_")
        ordinal, row_id = query_int(day, maximum=date.max.toordinal()), query_int(pk)
        if not ordinal or row_id is None:
            return None
        return cls(date.fromordinal(ordinal), row_id)


def unconnected_memberships(*, today: date | None = None) -> QuerySet[Membership]:
    """The memberships, in every network the scope allows, whose person nobody has connected
    with yet: the one rule for this list and for the network's figures (clubin.stats)."""
    today = today or timezone.localdate()
    person = OuterRef("user_id")
    return Membership.objects.filter(
        ~Exists(Connection.objects.filter(user_low=person)),
        ~Exists(Connection.objects.filter(user_high=person)),
        status=Membership.Status.ACTIVE,
        user__is_active=True,
        joined_on__lte=today - timedelta(days=UNCONNECTED_AFTER_DAYS),
    ).exclude(
        # A card past its validity is a renewal to chase, not a member to connect, from the day
        # after it ends (grace days included), as the network's figures count members.
        valid_until__lt=today
    )


def _unconnected(network: Network) -> QuerySet[Membership]:
    return unconnected_memberships().filter(network=network)


def unconnected_member_count(*, network: Network) -> int:
    """How many members of ``network`` have no connection 30 days after joining."""
    return _unconnected(network).count()


def unconnected_members(
    *, network: Network, after: str | None = None, size: int = UNCONNECTED_PAGE_SIZE
) -> Page[UnconnectedMember]:
    """One page of them, oldest joiners first, in one query."""
    rows = _unconnected(network).select_related("user", "user__profile").order_by("joined_on", "id")
    cursor = JoinedCursor.decode(after)
    if cursor is not None:
        rows = rows.filter(
            Q(joined_on__gt=cursor.joined_on) | Q(joined_on=cursor.joined_on, id__gt=cursor.pk)
        )
    page = keyset_page(
        rows, size=size, cursor_of=lambda row: JoinedCursor(row.joined_on, row.pk).encode()
    )
    return Page([_row(membership) for membership in page.rows], page.next_cursor)


def _row(membership: Membership) -> UnconnectedMember:
    user = membership.user
    try:
        profile: Profile | None = user.profile
    except Profile.DoesNotExist:
        profile = None  # never wrote one: the defaults, visible
    sector = profile.sector if profile else ""
    return UnconnectedMember(
        membership_id=membership.pk,
        user_id=user.pk,
        name=user.get_full_name(),
        email=user.email,
        company=profile.company if profile else "",
        sector=str(Sector(sector).label) if sector in Sector.values else "",
        joined_on=membership.joined_on,
        hidden=profile is not None and profile.visibility == Profile.Visibility.HIDDEN,
    )
