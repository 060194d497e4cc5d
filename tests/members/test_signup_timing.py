"""Signing up with an address that has an account takes as long as with a new one."""

import statistics
import time

import pytest
from django.conf import global_settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.serial]  # it measures time: alone
RUNS = 5


def _signup_seconds(client, email: str) -> float:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    started = time.perf_counter()
    response = client.post(reverse("account_signup"), data)
    took = time.perf_counter() - started
    assert response.status_code == 302  # both go to "check your email": the same answer
    return took


def test_it_takes_as_long_for_a_known_address_as_for_a_new_one(client, personas, settings):
    # The real hasher: the MD5 one of the tests costs nothing, which would hide the difference.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    known, new = [], []
    for n in range(RUNS):
        client.logout()
        known.append(_signup_seconds(client, "bob@example.com"))
        client.logout()
        new.append(_signup_seconds(client, f"new{n}@example.com"))
    ratio = statistics.median(new) / statistics.median(known)
    # Before: about 30 ms against 880 ms. A hash is most of the work, so the two stay close.
    assert 0.5 < ratio < 2, (known, new)
