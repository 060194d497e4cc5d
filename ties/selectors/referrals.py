"""Reads of referrals: whom a member may pass business to, one referral, and mine on /me/.

A referral belongs to a network, but /me/ shows a person's referrals from every network, so the
selectors for /me/ switch tenant scoping off and filter on the person instead.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django_scopes import scopes_disabled

from members.models import Profile, User
from networks.models import Membership, Network
from ties.models import Referral

# /me/referrals/ shows the latest of each list; the sums count them all.
MY_REFERRALS_LIMIT = 100


def referral_candidate_queryset(*, network: Network, viewer: Any) -> QuerySet[User]:
    """The active members of ``network`` the viewer can see, themselves aside, unordered: the
    form's list and the picker's search (ties.selectors.people) both start from it.

    A hidden profile is nobody's choice: it follows the directory's visibility.
    """
    with scopes_disabled():  # the query names its network; forms are built outside a scope too
        member_ids = Membership.objects.filter(
            network=network, status=Membership.Status.ACTIVE
        ).values("user_id")
    return (
        User.objects.filter(pk__in=member_ids, is_active=True)
        .exclude(profile__visibility=Profile.Visibility.HIDDEN)
        .exclude(pk=viewer.pk)
    )


def referral_candidates(*, network: Network, viewer: Any) -> list[User]:
    """The referral form's choices, by name."""
    rows = referral_candidate_queryset(network=network, viewer=viewer)
    return list(rows.order_by("last_name", "first_name", "id"))


def referral_for(*, network: Network, referral_id: int, user: Any) -> Referral | None:
    """A referral of ``network`` as its giver or receiver sees it; None for anyone else."""
    return (
        Referral.objects.filter(Q(giver=user) | Q(receiver=user), network=network, pk=referral_id)
        .select_related("network", "giver", "receiver", "contact")
        .first()
    )


@dataclass(frozen=True, kw_only=True)
class MyReferrals:
    given: list[Referral]
    received: list[Referral]
    helped_close: Decimal  # won value of the referrals I gave
    closed: Decimal  # won value of the referrals I received


def _latest(rows: Any) -> list[Referral]:
    return list(
        rows.select_related("network", "giver", "receiver", "contact").order_by(
            "-created_at", "-id"
        )[:MY_REFERRALS_LIMIT]
    )


def my_referrals(*, user: User) -> MyReferrals:
    """The referrals I gave and received, newest first, and the value of business won."""
    with scopes_disabled():
        won = Q(status=Referral.Status.WON)
        totals = Referral.objects.filter(Q(giver=user) | Q(receiver=user)).aggregate(
            helped_close=Sum("won_value", filter=won & Q(giver=user)),
            closed=Sum("won_value", filter=won & Q(receiver=user)),
        )
        return MyReferrals(
            given=_latest(Referral.objects.filter(giver=user)),
            received=_latest(Referral.objects.filter(receiver=user)),
            helped_close=totals["helped_close"] or Decimal(0),
            closed=totals["closed"] or Decimal(0),
        )
