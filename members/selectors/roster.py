"""The coordinators' roster: every membership of a network, searched, filtered and paged.

Unlike the directory it lists everyone (hidden profiles, lapsed and ended memberships, people
who never wrote a profile), with what a coordinator needs: the card as printed, the email, the
validity and whether a renewal is due. The search reuses the directory's lower-cased
``search_text`` (trigram-indexed on PostgreSQL) and adds the name and email columns, so a member
without a profile, or searched by address, is found too.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from members.selectors.directory import Cursor, search_terms
from networks.models import Membership, Network
from networks.paging import Page, keyset_page

ROSTER_PAGE_SIZE = 50
ROSTER_FIELDS = (
    *("id", "network_id", "role", "card_number", "status", "joined_on", "valid_until"),
    *("user__id", "user__first_name", "user__last_name", "user__email"),
    *("user__profile__company", "user__profile__sector"),
)


@dataclass(frozen=True, kw_only=True)
class RosterFilters:
    query: str = ""
    status: str = ""  # a Membership.Status value, or "" for every status
    renewal_due: bool = False
    sector: str = ""  # a members.Sector value, or ""

    @property
    def any(self) -> bool:
        return bool(self.query or self.status or self.renewal_due or self.sector)


def _search(rows: QuerySet[Membership], query: str) -> QuerySet[Membership]:
    """Every word must appear in the profile's search text, the name or the email."""
    for term in search_terms(query):
        rows = rows.filter(
            # ``contains`` on the lower-cased text: the trigram index serves it (see directory).
            Q(user__profile__search_text__contains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    return rows


def roster_memberships(*, network: Network, filters: RosterFilters) -> QuerySet[Membership]:
    rows = Membership.objects.filter(network=network)
    rows = _search(rows, filters.query)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.renewal_due:
        rows = rows.filter(Membership.renewal_due_q(timezone.localdate()))
    if filters.sector:
        rows = rows.filter(user__profile__sector=filters.sector)
    return rows


def network_roster(
    *, network: Network, filters: RosterFilters, after: str | None = None
) -> Page[Membership]:
    """One page of the roster by last name, first name and id, in one query (two with the
    count the page shows). Each row carries its network, so ``card_label`` costs nothing."""
    rows = (
        roster_memberships(network=network, filters=filters)
        .select_related("user", "user__profile")
        .only(*ROSTER_FIELDS)
        .order_by("user__last_name", "user__first_name", "id")
    )
    cursor = Cursor.decode(after)
    if cursor is not None:
        rows = rows.filter(
            Q(user__last_name__gt=cursor.last_name)
            | Q(user__last_name=cursor.last_name, user__first_name__gt=cursor.first_name)
            | Q(
                user__last_name=cursor.last_name,
                user__first_name=cursor.first_name,
                id__gt=cursor.pk,
            )
        )
    page = keyset_page(
        rows,
        size=ROSTER_PAGE_SIZE,
        cursor_of=lambda m: Cursor(m.user.last_name, m.user.first_name, m.pk).encode(),
    )
    for membership in page.rows:
        membership.network = network
    return page


def network_roster_count(*, network: Network, filters: RosterFilters) -> int:
    return roster_memberships(network=network, filters=filters).count()
