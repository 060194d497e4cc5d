"""Reads of introductions: whom I can introduce, those waiting for my answer, those I made."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from members.models import Profile, User
from networks.inputs import query_int
from networks.models import Membership, Network
from networks.paging import Page, keyset_page
from ties.models import Connection, Introduction

Reply = Introduction.Reply
# /me/introductions/ pages by this many; /me/ shows the latest few.
MADE_PAGE_SIZE = 20
MADE_ON_ME = 5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def introducible_queryset(*, introducer: User, network: Network) -> QuerySet[User]:
    """My connections who are active members of ``network`` and not hidden, unordered: the
    form's list and the picker's search (ties.selectors.people) both start from it."""
    mine = Q(pk__in=Connection.objects.filter(user_low=introducer).values("user_high_id")) | Q(
        pk__in=Connection.objects.filter(user_high=introducer).values("user_low_id")
    )
    return User.objects.filter(
        mine,
        memberships__network=network,
        memberships__status=Membership.Status.ACTIVE,
        is_active=True,
    ).exclude(profile__visibility=Profile.Visibility.HIDDEN)


def introducible_people(*, introducer: User, network: Network) -> list[User]:
    """The introduction form's choices, by name (with the profile its emails quote)."""
    rows = introducible_queryset(introducer=introducer, network=network)
    return list(rows.select_related("profile").order_by("first_name", "last_name", "pk"))


def _mine(user: User) -> QuerySet[Introduction]:
    return Introduction.objects.filter(Q(first=user) | Q(second=user)).select_related(
        "introducer", "first", "second", "network"
    )


def introductions_for(*, user: User) -> list[Introduction]:
    """Introductions of me that wait for my answer, newest first (the list on /me/)."""
    if not user.is_authenticated:
        return []
    waiting = Q(first=user, first_reply=Reply.PENDING) | Q(second=user, second_reply=Reply.PENDING)
    with scopes_disabled():
        return list(_mine(user).filter(waiting).order_by("-created_at", "-id"))


def introduction_of(*, user: User, introduction_id: int) -> Introduction | None:
    """One introduction of me, or None when it is not mine (the page then answers 404)."""
    with scopes_disabled():
        return _mine(user).filter(pk=introduction_id).first()


# --- The introducer's view ----------------------------------------------------------------------


class MadeState(StrEnum):
    """Where an introduction I made stands, as I may know it."""

    WAITING = "waiting"
    ACCEPTED = "accepted"  # by both
    NOT_NOW = "not_now"  # one side or both declined: never which


@dataclass(frozen=True, kw_only=True)
class IntroducedPerson:
    name: str
    company: str


@dataclass(frozen=True, kw_only=True)
class IntroductionMade:
    """An introduction as its introducer sees it. It carries no reply of either side, only
    the state they make together, so no page can tell who declined."""

    id: int
    network_name: str
    first: IntroducedPerson
    second: IntroducedPerson
    note: str
    created_at: datetime
    state: MadeState
    accepted_at: datetime | None


@dataclass(frozen=True)
class MadeCursor:
    """Keyset position in my introductions, newest first: the last row shown."""

    created_at: datetime
    pk: int

    # Whole microseconds since the epoch: a float timestamp loses the last digit, and a row
    # created in the same second as the cursor would be skipped or shown twice.
    def encode(self) -> str:
        return f"{(self.created_at - EPOCH) // MICROSECOND}_{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> "MadeCursor | None":
        """The position in ``raw``, or None (the first page) for anything malformed."""
        stamp, _sep, pk = (raw or "").partition("_")
        microseconds, row_id = query_int(stamp), query_int(pk)
        if microseconds is None or row_id is None:
            return None
        try:
            return cls(EPOCH + microseconds * MICROSECOND, row_id)
        except OverflowError:
            return None


def introductions_made(
    *, user: User, after: str | None = None, size: int = MADE_PAGE_SIZE
) -> Page[IntroductionMade]:
    """The introductions ``user`` made, in every network, newest first, a page at a time.

    One query whatever the number: both people and their profiles come with the row.
    """
    if not user.is_authenticated:
        return Page([], None)
    with scopes_disabled():  # /me/ is outside any network; the query names the introducer
        rows = (
            Introduction.objects.filter(introducer=user)
            .select_related("network", "first", "second", "first__profile", "second__profile")
            .order_by("-created_at", "-id")
        )
        cursor = MadeCursor.decode(after)
        if cursor is not None:
            rows = rows.filter(
                Q(created_at__lt=cursor.created_at)
                | Q(created_at=cursor.created_at, id__lt=cursor.pk)
            )
        page = keyset_page(
            rows, size=size, cursor_of=lambda row: MadeCursor(row.created_at, row.pk).encode()
        )
    return Page([_made(row) for row in page.rows], page.next_cursor)


def made_state(introduction: Introduction) -> MadeState:
    """Both replies folded into one state: a decline on either side reads "not now"."""
    replies = {introduction.first_reply, introduction.second_reply}
    if Reply.DECLINED in replies:
        return MadeState.NOT_NOW
    if replies == {Reply.ACCEPTED}:
        return MadeState.ACCEPTED
    return MadeState.WAITING


def _made(row: Introduction) -> IntroductionMade:
    state = made_state(row)
    return IntroductionMade(
        id=row.pk,
        network_name=row.network.name,
        first=_person(row.first),
        second=_person(row.second),
        note=row.note,
        created_at=row.created_at,
        state=state,
        accepted_at=row.accepted_at if state is MadeState.ACCEPTED else None,
    )


def _person(user: User) -> IntroducedPerson:
    try:
        company = user.profile.company
    except Profile.DoesNotExist:
        company = ""
    # Never the email as a stand-in for a missing name: they may keep it private.
    return IntroducedPerson(name=user.get_full_name() or _("a member"), company=company)
