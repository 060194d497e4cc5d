"""Writes on networks and memberships."""

import hashlib
import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from networks.languages import email_language
from networks.models import Membership, Network
from networks.selectors import network_coordinator_recipients
from outbox.services import Email, email_queue, email_queue_many, site_url

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


def network_public_page_update(
    *, network: Network, membership_benefits: str, changed_by: Any
) -> None:
    network.membership_benefits = membership_benefits.strip()
    network.full_clean(validate_unique=False)
    network.save(update_fields=["membership_benefits"])
    logger.info("Public page of %s changed by %s", network.slug, changed_by.pk)


def coordinators_contact(*, network: Network, name: str, email: str, message: str) -> int:
    """Email a visitor's message to each active coordinator, in the coordinator's language,
    with the visitor's address to reply to; returns how many were queued.

    The same message sent twice (a double click, a reload) is queued once: its key is the
    message itself. The visitor never learns the coordinators' addresses.
    """
    digest = hashlib.sha256(f"{email.lower()}\n{message}".encode()).hexdigest()[:24]
    context = {
        "network_name": network.name,
        "sender_name": name,
        "sender_email": email,
        "message": message,
        "network_url": site_url("network_detail", network_slug=network.slug),
    }
    emails = [
        Email(
            template="network-contact",
            to=address,
            reply_to=email,
            context=context,
            language=email_language(chosen=language, network=network),
            idempotency_key=f"network-contact:{network.pk}:{digest}:{user_id}",
            network_id=network.pk,
        )
        for user_id, address, language in network_coordinator_recipients(network=network)
    ]
    queued = email_queue_many(emails, on_duplicate="skip")
    logger.info("Contact message to %s coordinators of %s", len(queued), network.slug)
    return len(emails)
