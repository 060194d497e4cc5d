"""Membership cards on /me/ with their QR codes, and the public check a QR code leads to."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import segno
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from members.selectors.cards import card_token, membership_cards
from networks.models import Membership

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def bob_card(personas) -> Membership:
    """Bob's FlorenceIN card, FI-000002, valid to the end of next month."""
    personas.florence.card_prefix = "FI"
    personas.florence.save()
    with scope(network=personas.florence):
        membership = Membership.objects.select_related("network").get(user=personas.bob)
    membership.valid_until = timezone.localdate() + timedelta(days=40)
    membership.save()
    return membership


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000").removeprefix("https://clubin.example")


@pytest.mark.django_db
def test_it_shows_my_card_with_a_qr_code(client, personas, bob_card):
    client.force_login(personas.bob)
    response = client.get(reverse("members:me"))
    assert response.status_code == 200
    [card] = response.context["cards"]
    assert card.label == "FI-000002"
    assert card.name == "Bob Bellini" and card.valid_today
    assert card.valid_until == bob_card.valid_until
    svg = ET.fromstring(str(card.qr_svg))  # noqa: S314 (our own markup) well-formed markup, ready to inline
    assert svg.tag == "svg"
    # The code holds the card's public check URL, signed.
    assert _dark_modules(svg) == _expected_modules(card.verify_url)
    assert card_token(membership_id=bob_card.pk) in card.verify_url
    body = response.content.decode()
    assert "FI-000002" in body and "<svg" in body and "FlorenceIN" in body


def _dark_modules(svg: ET.Element) -> set[tuple[int, int]]:
    """Read the modules back from segno's path: runs of "h" strokes along each row."""
    path = svg.find(".//path[@class='qrline']")
    assert path is not None
    tokens = re.findall(r"[Mmh]|-?[\d.]+", path.get("d", ""))
    x = y = 0.0
    dark = set()
    while tokens:
        command = tokens.pop(0)
        if command == "h":
            run = int(tokens.pop(0))
            dark |= {(int(y), int(x) + i) for i in range(run)}
            x += run
        else:
            dx, dy = float(tokens.pop(0)), float(tokens.pop(0))
            x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
    return dark


def _expected_modules(url: str, border: int = 2) -> set[tuple[int, int]]:
    matrix = segno.make(url, error="m").matrix
    return {
        (row + border, col + border)
        for row, line in enumerate(matrix)
        for col, module in enumerate(line)
        if module
    }


@pytest.mark.django_db
def test_it_lists_cards_across_networks_in_one_query(personas, bob_card, django_assert_num_queries):
    with scopes_disabled():
        Membership.objects.create(network=personas.veneto, user=personas.bob, card_number=7)
    with django_assert_num_queries(1):
        cards = membership_cards(user=personas.bob)
    assert [c.label for c in cards] == ["FI-000002", "VE-000007"]
    assert len({c.verify_url for c in cards}) == 2
    assert membership_cards(user=personas.dave) == []


@pytest.mark.django_db
def test_it_checks_a_card_publicly(client, personas, bob_card, django_assert_max_num_queries):
    url = reverse("members:me")
    client.force_login(personas.bob)
    [card] = client.get(url).context["cards"]
    client.logout()
    with django_assert_max_num_queries(1):
        response = client.get(_path(card.verify_url), headers=ENGLISH)
    assert response.status_code == 200
    assert response.context["check"].valid_today
    body = response.content.decode()
    assert "Valid card" in body
    assert "Bob Bellini" in body and "FlorenceIN" in body
    assert bob_card.valid_until.strftime("%Y") in body
    # Name, network and validity only: no email, no card number, nobody else.
    for secret in ("bob@example.com", "FI-000002", "Alice", "alice@example.com"):
        assert secret not in body
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_it_404s_a_bad_or_tampered_token(client, personas, bob_card):
    with scope(network=personas.florence):
        alice = Membership.objects.get(user=personas.alice)
    token = card_token(membership_id=bob_card.pk)
    signature = token.split(":", 1)[1]
    forged = [
        f"{alice.pk}:{signature}",  # Bob's signature on Alice's id
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        str(bob_card.pk),
        "garbage",
        signing.Signer(salt="another-purpose").sign(str(bob_card.pk)),
        signing.dumps(bob_card.pk),
    ]
    for bad in forged:
        response = client.get(reverse("card_verify", kwargs={"token": bad}))
        assert response.status_code == 404, bad
    assert client.get(reverse("card_verify", kwargs={"token": token})).status_code == 200


@pytest.mark.django_db
def test_it_says_an_expired_card_is_not_valid(client, personas, bob_card):
    bob_card.valid_until = timezone.localdate() - timedelta(days=1)
    bob_card.save()
    url = reverse("card_verify", kwargs={"token": card_token(membership_id=bob_card.pk)})
    response = client.get(url, headers=ENGLISH)
    assert response.status_code == 200
    assert not response.context["check"].valid_today
    assert "This card is not valid today" in response.content.decode()


@pytest.mark.django_db
def test_it_says_a_lapsed_card_is_not_valid_before_its_date(client, personas, bob_card):
    bob_card.status = Membership.Status.LAPSED
    bob_card.save()
    url = reverse("card_verify", kwargs={"token": card_token(membership_id=bob_card.pk)})
    response = client.get(url, headers=ENGLISH)
    assert not response.context["check"].valid_today
    assert "This card is not valid today" in response.content.decode()
