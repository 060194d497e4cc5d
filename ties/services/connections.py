"""Connections between two people: made once per pair, removed silently by either side.

Every flow that brings two people together (an answered ask, an introduction, a one-to-one, an
event, a referral) ends in ``connection_make``. A refusal anywhere in ties raises ``TiesError``
with the sentence to show the person who tried.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import User
from networks.models import Network
from ties.models import Connection


class TiesError(Exception):
    """A refused action, with the sentence to show the person who tried."""


def connection_make(
    *,
    user_a: User,
    user_b: User,
    origin: str,
    network: Network | None = None,
    event_id: int | None = None,
) -> Connection:
    """Connect two people, once per pair: a pair already connected keeps how it began.

    Safe under concurrency: the unique constraint decides, and the loser reads the winner's row.
    """
    if user_a.pk == user_b.pk:
        raise TiesError(_("A connection needs two people."))
    low, high = sorted((user_a.pk, user_b.pk))
    existing = Connection.objects.filter(user_low_id=low, user_high_id=high).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Connection.objects.create(
                user_low_id=low,
                user_high_id=high,
                origin=origin,
                network=network,
                event_id=event_id,
            )
    except IntegrityError:
        return Connection.objects.get(user_low_id=low, user_high_id=high)


def connection_remove(*, user: User, connection_id: int) -> None:
    """Either side removes a connection; the other is told nothing. Unknown ids do nothing."""
    Connection.objects.filter(Q(user_low=user) | Q(user_high=user), pk=connection_id).delete()
