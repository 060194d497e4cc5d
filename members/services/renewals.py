"""Keeping a card valid: the reminder before it expires, the paid renewal, the lapse after grace.

The membership year is the calendar year (``membership_year_end``). Renewals and lapses lock the
network row first, like approvals: the membership cap and a membership's status then change one
writer at a time. The periodic jobs run network by network through ``for_each_network``.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import DecisionLogEntry, User
from members.services.applications import membership_year_end, places_fill
from networks.jobs import for_each_network
from networks.languages import email_language
from networks.models import Membership, Network
from networks.services import network_lock
from outbox.services import Email, email_queue_many, site_url

logger = logging.getLogger(__name__)

ACTIVE = Membership.Status.ACTIVE
LAPSED = Membership.Status.LAPSED
Action = DecisionLogEntry.Action
REMINDER_DAYS = Membership.RENEWAL_NOTICE_DAYS


class NotRenewable(Exception):
    """Suspended and ended memberships come back by a coordinator's decision, not a payment."""


class AlreadyRenewed(Exception):
    """No renewal is due: the card runs beyond the notice days (or a second click renewed it)."""


class NetworkFull(Exception):
    """A lapsed member's place went to someone else and the network is at its cap."""


# --- Renewing --------------------------------------------------------------------------------
def renewal_valid_until(*, valid_until: date | None, today: date) -> date:
    """A paid renewal runs to the end of the next membership year, or of this one if expired.

    Counted from today, not from the old date, so paying twice never buys two years.
    """
    if valid_until is not None and valid_until >= today:
        return membership_year_end(date(today.year + 1, 1, 1))
    return membership_year_end(today)


def membership_renew(*, membership: Membership, renewed_by: User | None) -> Membership:
    """Record a renewal as paid: extend the card and bring a lapsed membership back."""
    network = membership.network
    today = timezone.localdate()
    with transaction.atomic():
        network_lock(network=network)
        locked = Membership.objects.select_for_update().get(pk=membership.pk, network=network)
        if locked.status not in (ACTIVE, LAPSED):
            raise NotRenewable
        # The roster offers the button by the same rule (Membership.renewal_due_on).
        if not locked.renewal_due_on(today):
            raise AlreadyRenewed
        valid_until = renewal_valid_until(valid_until=locked.valid_until, today=today)
        if locked.status == LAPSED and _is_full(network):
            raise NetworkFull
        Membership.objects.filter(pk=locked.pk).update(status=ACTIVE, valid_until=valid_until)
        DecisionLogEntry.objects.create(
            network=network, actor=renewed_by, action=Action.RENEWED, membership_id=locked.pk,
            note=f"valid until {locked.valid_until or '-'} → {valid_until}",
        )  # fmt: skip
    membership.status, membership.valid_until = ACTIVE, valid_until
    return membership


def _is_full(network: Network) -> bool:
    if network.membership_cap is None:
        return False
    active = Membership.objects.filter(network=network, status=ACTIVE).count()
    return active >= network.membership_cap


# --- Periodic jobs ---------------------------------------------------------------------------
def renewal_reminders_send(*, today: date) -> int:
    """Daily: members whose card runs out within 30 days hear it once per validity date.

    Due on the 30th day before expiry; a card still unreminded later (a day the beat missed)
    is reminded on the next run, so reminders are late rather than lost.
    """

    def renewal_reminders_queue(network: Network) -> int:
        due = Membership.objects.filter(
            network=network,
            status=ACTIVE,
            user__is_active=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=REMINDER_DAYS),
        ).select_related("user")
        keyed = {f"renewal-reminder:{m.pk}:{m.valid_until}": m for m in due}
        emails = [
            Email(
                template="renewal-reminder",
                to=m.user.email,
                context=_reminder_context(network, m),
                idempotency_key=key,
                network_id=network.pk,
                language=email_language(chosen=m.user.language, network=network),
            )
            for key, m in keyed.items()
        ]
        # Once per validity date: a key already queued is a member reminded on an earlier run.
        return len(email_queue_many(emails, on_duplicate="skip"))

    return for_each_network(renewal_reminders_queue).total_or_raise()


def _reminder_context(network: Network, membership: Membership) -> dict:
    membership.network = network
    valid_until = membership.valid_until or timezone.localdate()
    return {
        "network_name": network.name,
        "person_name": membership.user.get_short_name(),
        "card_label": membership.card_label,
        "valid_until": valid_until,
        "lapses_on": valid_until + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS + 1),
        "network_url": site_url("network_detail", network_slug=network.slug),
        "me_url": site_url("members:me"),
    }


def memberships_lapse(*, today: date) -> int:
    """Daily: memberships still unpaid MEMBERSHIP_GRACE_DAYS after their card expired lapse.

    A capped network then gives the places to those approved while it was full, in order.
    """
    cutoff = today - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)

    def memberships_lapse_in(network: Network) -> int:
        count = _lapse_in(network, cutoff)
        if network.membership_cap is not None:
            places_fill(network=network)
        return count

    return for_each_network(memberships_lapse_in).total_or_raise()


def _lapse_in(network: Network, cutoff: date) -> int:
    now = timezone.now()
    with transaction.atomic():
        network_lock(network=network)
        ids = list(
            Membership.objects.filter(
                network=network, status=ACTIVE, valid_until__lt=cutoff
            ).values_list("id", flat=True)
        )
        if not ids:
            return 0
        Membership.objects.filter(network=network, pk__in=ids).update(status=LAPSED)
        DecisionLogEntry.objects.bulk_create(
            DecisionLogEntry(
                network=network, actor=None, action=Action.LAPSED, membership_id=pk, created_at=now
            )
            for pk in ids
        )
    logger.info("Network %s: %d membership(s) lapsed", network.slug, len(ids))
    return len(ids)
