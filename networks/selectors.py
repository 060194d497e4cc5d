"""Reads shared by network pages. Functions that cross networks say so in their docstring."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django_scopes import scopes_disabled

from networks.models import Membership, Network

ACTIVE = Membership.Status.ACTIVE
COORDINATOR = Membership.Role.COORDINATOR


def network_by_slug(*, slug: str) -> Network | None:
    return Network.objects.filter(slug=slug).first()


def membership_for_user(*, network: Network, user: Any) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(network=network, user=user).first()


def _with_member_counts(networks: QuerySet[Network]) -> QuerySet[Network]:
    return networks.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=ACTIVE)),
        coordinator_count=Count(
            "memberships", filter=Q(memberships__status=ACTIVE, memberships__role=COORDINATOR)
        ),
    )


def federation_network_list() -> QuerySet[Network]:
    """Cross-network: every network with its member counts, for the home and staff pages.

    Only aggregates leave this function, so it is safe on public pages.
    """
    # "active" sorts before "forming": running networks first.
    return _with_member_counts(Network.objects.order_by("status", "name"))


def network_public_summary(*, network: Network) -> dict[str, Any]:
    counts = Membership.objects.filter(network=network).aggregate(
        members=Count("id", filter=Q(status=ACTIVE)),
    )
    coordinators = list(
        Membership.objects.filter(network=network, role=COORDINATOR, status=ACTIVE)
        .select_related("user")
        .only("user__first_name", "user__last_name", "network_id")
        .order_by("user__last_name", "user__first_name")
    )
    return {"member_count": counts["members"], "coordinators": [m.user for m in coordinators]}


def network_membership_counts(*, network: Network) -> dict[str, int]:
    """The manage home's members card: active memberships and all of them, in one aggregate."""
    return Membership.objects.filter(network=network).aggregate(
        active=Count("id", filter=Q(status=ACTIVE)), total=Count("id")
    )


def user_membership_list(*, user: Any) -> list[Membership]:
    """Cross-network, for the person themself: their own memberships in every network."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user).select_related("network").order_by("network__name")
        )


def user_coordinated_networks(*, user: Any) -> list[Network]:
    """Cross-network, for the person themself: networks they coordinate (the "manage" entries)."""
    if not user.is_authenticated:
        return []
    return list(
        Network.objects.filter(
            memberships__user=user,
            memberships__role=COORDINATOR,
            memberships__status=ACTIVE,
        ).order_by("name")
    )


def network_coordinator_list(*, network: Network) -> list[Membership]:
    return list(
        Membership.objects.filter(network=network, role=COORDINATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def network_coordinator_recipients(*, network: Network) -> list[tuple[int, str, str]]:
    """(user id, email, chosen language) of the network's active coordinators, for mail only:
    these addresses are never shown on a page."""
    return list(
        Membership.objects.filter(
            network=network, role=COORDINATOR, status=ACTIVE, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", "user__email", "user__language")
    )
