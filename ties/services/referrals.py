"""Writes of referrals: business passed from one member to another, and its outcome.

The giver passes it inside a network both belong to; only the receiver moves it forward
(passed → contacted → meeting → won or lost), never back. A won referral thanks the giver by
email and connects the two (origin "referral"). Double clicks and simultaneous requests leave
one row, one status change and one email.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from members.models import User
from networks.languages import email_language
from networks.models import Network
from outbox.services import email_queue, site_url
from ties.models import Origin, Referral
from ties.selectors.referrals import referral_candidates
from ties.services.connections import TiesError, connection_make

# The same referral sent again within this time is a double click, not new business.
DUPLICATE_WINDOW = timedelta(minutes=10)
# How far along each status is: a move must go further, and won and lost end it.
STEP: dict[str, int] = {
    Referral.Status.PASSED: 0,
    Referral.Status.CONTACTED: 1,
    Referral.Status.MEETING: 2,
    Referral.Status.WON: 3,
    Referral.Status.LOST: 3,
}
CLOSED: set[str] = {Referral.Status.WON, Referral.Status.LOST}


def referral_create(
    *,
    network: Network,
    giver: User,
    receiver_id: int,
    what: str,
    contact_id: int | None = None,
    for_whom: str = "",
    estimated_value: Decimal | None = None,
) -> Referral:
    """``giver`` passes business to a member of ``network`` they can see.

    For whom: ``contact_id``, another member they can see, or ``for_whom``, a name or a
    company outside ClubIN. The receiver gets an email in their language.
    """
    people = {person.pk: person for person in referral_candidates(network=network, viewer=giver)}
    receiver = people.get(receiver_id)
    if receiver is None:
        raise TiesError(_("Choose a member of this network to pass the business to."))
    if contact_id is not None and (contact_id not in people or contact_id == receiver_id):
        raise TiesError(_("Choose another member as the contact, or write a name."))
    for_whom = "" if contact_id is not None else for_whom.strip()
    if contact_id is None and not for_whom:
        raise TiesError(_("Say for whom the business is."))
    with transaction.atomic():
        # One referral at a time per giver: a second click waits here, then finds the first.
        User.objects.select_for_update().filter(pk=giver.pk).first()
        duplicate = Referral.objects.filter(
            network=network,
            giver=giver,
            receiver=receiver,
            what=what.strip(),
            contact_id=contact_id,
            for_whom=for_whom,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        ).first()
        if duplicate is not None:
            return duplicate
        referral = Referral(
            network=network,
            giver=giver,
            receiver=receiver,
            what=what.strip(),
            contact_id=contact_id,
            for_whom=for_whom,
            estimated_value=estimated_value,
        )
        referral.full_clean()
        referral.save()
        _notify_receiver(referral=referral)
    return referral


def referral_move(
    *, referral: Referral, user: User, status: str, won_value: Decimal | None = None
) -> Referral:
    """The receiver says how far the business got; forward only, and once per status.

    Moving to the status it already has (a double click) changes nothing and sends nothing.
    """
    if referral.receiver_id != user.pk:
        raise TiesError(_("Only the member who received the referral can update it."))
    if status not in STEP or status == Referral.Status.PASSED:
        raise TiesError(_("Choose how far the business got."))
    if status == Referral.Status.WON and won_value is None:
        raise TiesError(_("Say the value of the business closed."))
    with transaction.atomic(), scopes_disabled():
        # Scoping off: ``referral`` was read in its network already; this reads it again, locked.
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status == status:
            return locked
        if locked.status in CLOSED or STEP[status] <= STEP[locked.status]:
            raise TiesError(_("A referral only moves forward."))
        locked.status = status
        locked.status_changed_at = timezone.now()
        if status in CLOSED:
            locked.closed_on = timezone.localdate()
        if status == Referral.Status.WON:
            locked.won_value = won_value
        locked.full_clean()
        locked.save(update_fields=["status", "status_changed_at", "closed_on", "won_value"])
        if status == Referral.Status.WON:
            _thank_giver(referral=locked)
            connection_make(
                user_a=locked.giver,
                user_b=locked.receiver,
                origin=Origin.REFERRAL,
                network=locked.network,
            )
    return locked


def _referral_url(referral: Referral) -> str:
    return site_url("ties_referral", network_slug=referral.network.slug, referral_id=referral.pk)


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def _notify_receiver(*, referral: Referral) -> None:
    receiver = referral.receiver
    email_queue(
        template="ties-referral-new",
        to=receiver.email,
        context={
            "recipient_name": receiver.get_short_name(),
            "giver_name": _name(referral.giver),
            "what": referral.what,
            "for_whom": _name(referral.contact) if referral.contact else referral.for_whom,
            "estimated_value": referral.estimated_value,
            "referral_url": _referral_url(referral),
        },
        language=email_language(chosen=receiver.language, network=referral.network),
        on_duplicate="error",  # the referral row was created just now, once
        idempotency_key=f"ties-referral-new-{referral.pk}",
        network_id=referral.network_id,
    )


def _thank_giver(*, referral: Referral) -> None:
    giver = referral.giver
    email_queue(
        template="ties-referral-won",
        to=giver.email,
        context={
            "recipient_name": giver.get_short_name(),
            "receiver_name": _name(referral.receiver),
            "what": referral.what,
            "won_value": referral.won_value,
            "referral_url": _referral_url(referral),
        },
        language=email_language(chosen=giver.language, network=referral.network),
        on_duplicate="error",  # the status became won just now, under the row's lock
        idempotency_key=f"ties-referral-won-{referral.pk}",
        network_id=referral.network_id,
    )
