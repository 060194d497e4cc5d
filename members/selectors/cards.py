"""Membership cards: the holder's own cards with their QR codes, and the public check of one.

The QR code holds a signed URL with the membership id only. Whoever scans it learns what the
card says today (name, network, valid or not), read fresh from the database, so a lapsed or
suspended card stops checking out without any token being revoked.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_scopes import scopes_disabled

from networks.models import Membership, Network

# Changing the salt invalidates every printed QR code: keep it.
CARD_SALT = "clubin.members.card"


@dataclass(frozen=True)
class Card:
    membership: Membership  # with its network and user
    name: str
    label: str
    valid_until: date | None
    valid_today: bool
    verify_url: str
    qr_svg: SafeString


@dataclass(frozen=True)
class CardCheck:
    """All the public check may show: nothing here leads back to the person or the card."""

    name: str
    network_name: str
    valid_until: date | None
    valid_today: bool
    checked_on: date


def card_token(*, membership_id: int) -> str:
    return signing.Signer(salt=CARD_SALT).sign(str(membership_id))


def card_token_membership_id(*, token: str) -> int | None:
    try:
        return int(signing.Signer(salt=CARD_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def card_verify_url(*, membership_id: int) -> str:
    path = reverse("card_verify", kwargs={"token": card_token(membership_id=membership_id)})
    return f"{settings.SITE_URL}{path}"


def card_qr_svg(*, url: str) -> SafeString:
    # segno writes the markup itself from the URL, which our signer made: nothing to escape.
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308


def membership_cards(*, user: Any) -> list[Card]:
    """Cross-network, for the person themself: the cards they hold in every network."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user, card_number__isnull=False)
            .exclude(status=Membership.Status.ENDED)
            .select_related("network", "user")
            .order_by("network__name")
        )
    today = timezone.localdate()
    cards = []
    for membership in memberships:
        url = card_verify_url(membership_id=membership.pk)
        cards.append(
            Card(
                membership=membership,
                name=membership.user.get_full_name() or membership.user.email,
                label=membership.card_label,
                valid_until=membership.valid_until,
                valid_today=membership.is_valid_on(today),
                verify_url=url,
                qr_svg=card_qr_svg(url=url),
            )
        )
    return cards


def card_check(*, token: str) -> CardCheck | None:
    """Cross-network and public: what a scanned card says today; None for a bad token."""
    membership_id = card_token_membership_id(token=token)
    if membership_id is None:
        return None
    with scopes_disabled():
        membership = (
            Membership.objects.filter(pk=membership_id, card_number__isnull=False)
            .select_related("network", "user")
            .first()
        )
    if membership is None:
        return None
    today = timezone.localdate()
    return CardCheck(
        name=membership.user.get_full_name(),
        network_name=membership.network.name,
        valid_until=membership.valid_until,
        valid_today=membership.is_valid_on(today),
        checked_on=today,
    )


def network_membership_get(*, network: Network, membership_id: int) -> Membership | None:
    """One membership of this network; an id from another network reads as missing."""
    return (
        Membership.objects.filter(network=network, pk=membership_id)
        .select_related("network", "user")
        .first()
    )
