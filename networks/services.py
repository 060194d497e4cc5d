"""Writes on networks and memberships."""

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from networks.languages import email_language
from networks.models import Membership, Network
from outbox.services import email_queue, site_url

logger = logging.getLogger(__name__)


def network_create(
    *,
    slug: str,
    name: str,
    region: str,
    city: str,
    description: str = "",
    launched_on: date | None = None,
    status: str = Network.Status.FORMING,
) -> Network:
    network = Network(
        slug=slug.lower(),
        name=name,
        region=region,
        city=city,
        description=description,
        launched_on=launched_on,
        status=status,
    )
    network.full_clean()
    network.save()
    logger.info("Network %s created", network.slug)
    return network


def network_lock(*, network: Network) -> None:
    """Serialise changes to a network's card numbers and member count, until commit.

    FOR NO KEY UPDATE: rows that merely point at the network (a log entry, a membership)
    take a KEY SHARE lock on it, which this does not block, so no deadlock with them.
    """
    Network.objects.select_for_update(no_key=True).filter(pk=network.pk).exists()


def _next_card_number(network: Network) -> int:
    highest = Membership.objects.filter(network=network).aggregate(n=Max("card_number"))["n"]
    return (highest or 0) + 1


def coordinator_appoint(*, network: Network, user: Any, appointed_by: Any) -> Membership:
    """Make someone a coordinator (and a card-holding member if they were not) and tell them."""
    with transaction.atomic():
        network_lock(network=network)
        membership = Membership.objects.filter(network=network, user=user).first()
        if membership is None:
            membership = Membership.objects.create(
                network=network,
                user=user,
                role=Membership.Role.COORDINATOR,
                card_number=_next_card_number(network),
            )
        elif membership.is_coordinator:
            return membership
        else:
            membership.role = Membership.Role.COORDINATOR
            membership.status = Membership.Status.ACTIVE
            membership.save(update_fields=["role", "status"])
        _notify_appointment(network=network, user=user)
    logger.info("User %s appointed coordinator of %s by %s", user.pk, network.slug, appointed_by.pk)
    return membership


def _notify_appointment(*, network: Network, user: Any) -> None:
    email_queue(
        template="coordinator-appointed",
        to=user.email,
        on_duplicate="skip",
        network_id=network.pk,
        language=email_language(chosen=user.language, network=network),
        context={
            "network_name": network.name,
            "person_name": user.get_short_name(),
            "manage_url": site_url("manage_home", network_slug=network.slug),
        },
    )


def coordinator_remove(*, network: Network, membership: Membership, removed_by: Any) -> None:
    """The person stays a member; only the coordinator role goes."""
    Membership.objects.filter(pk=membership.pk, network=network).update(role=Membership.Role.MEMBER)
    logger.info(
        "User %s removed as coordinator of %s by %s",
        membership.user_id,
        network.slug,
        removed_by.pk,
    )
