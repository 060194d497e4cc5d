"""Reads of introductions: whom I can introduce, and the introductions waiting for me."""

from django.db.models import Q, QuerySet
from django_scopes import scopes_disabled

from members.models import Profile, User
from networks.models import Membership, Network
from ties.models import Connection, Introduction


def introducible_people(*, introducer: User, network: Network) -> list[User]:
    """My connections who are active members of ``network`` and not hidden, by name."""
    mine = Connection.objects.filter(Q(user_low=introducer) | Q(user_high=introducer))
    ids = {pk for pair in mine.values_list("user_low_id", "user_high_id") for pk in pair}
    ids.discard(introducer.pk)
    return list(
        User.objects.filter(
            pk__in=ids,
            memberships__network=network,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
        .exclude(profile__visibility=Profile.Visibility.HIDDEN)
        .select_related("profile")
        .order_by("first_name", "last_name", "pk")
    )


def _mine(user: User) -> QuerySet[Introduction]:
    return Introduction.objects.filter(Q(first=user) | Q(second=user)).select_related(
        "introducer", "first", "second", "network"
    )


def introductions_for(*, user: User) -> list[Introduction]:
    """Introductions of me that wait for my answer, newest first (the list on /me/)."""
    if not user.is_authenticated:
        return []
    waiting = Q(first=user, first_reply=Introduction.Reply.PENDING) | Q(
        second=user, second_reply=Introduction.Reply.PENDING
    )
    with scopes_disabled():
        return list(_mine(user).filter(waiting).order_by("-created_at", "-id"))


def introduction_of(*, user: User, introduction_id: int) -> Introduction | None:
    """One introduction of me, or None when it is not mine (the page then answers 404)."""
    with scopes_disabled():
        return _mine(user).filter(pk=introduction_id).first()
