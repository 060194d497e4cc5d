"""One rule for "this person proved the address": applying, registering and accepting an
invitation all ask members.selectors.accounts, about the address in question."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from events.models import Event
from members.selectors.accounts import email_verified
from tests.conftest import make_user
from tests.events.factories import make_event

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def second_address_only(db):
    """Someone who confirmed a second address, but not the one the site writes to."""
    user = make_user("prima@example.com", verified=False)
    EmailAddress.objects.create(user=user, email="seconda@example.com", verified=True)
    return user


@pytest.mark.django_db
def test_it_answers_for_one_address_at_a_time(second_address_only):
    assert not email_verified(user=second_address_only)
    assert not email_verified(user=second_address_only, email="prima@example.com")
    assert email_verified(user=second_address_only, email="SECONDA@example.com")


@pytest.mark.django_db
def test_it_asks_for_the_own_address_before_applying(client, personas, second_address_only):
    client.force_login(second_address_only)
    response = client.get(reverse("apply", kwargs={"network_slug": "florence"}))
    assert response.status_code == 302 and response["Location"] == reverse("account_email")


@pytest.mark.django_db
def test_it_asks_for_the_own_address_before_registering(client, personas, second_address_only):
    event = make_event(personas.florence, visibility=Event.Visibility.PUBLIC)
    client.force_login(second_address_only)
    url = reverse("event_register", kwargs={"network_slug": "florence", "event_id": event.pk})
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("account_email")


def test_it_reads_verification_in_one_place():
    query = re.compile(r"EmailAddress\.objects\.(?!create|bulk_create)|\bverified=True\)")
    readers = {
        str(path.relative_to(ROOT))
        for app in ("networks", "members", "events", "clubin", "outbox")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and query.search(path.read_text())
    }
    assert readers == {"members/selectors/accounts.py"}
