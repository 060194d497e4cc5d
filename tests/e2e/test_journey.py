"""A newcomer on a phone: finds their network, signs up, verifies, logs in, reads in English."""

import re
from urllib.parse import urlsplit

import pytest

from clubin.mail.models import OutboxEmail
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def test_it_walks_a_newcomer_from_home_to_their_account(live_server, phone, personas):
    phone.goto(live_server.url)
    assert phone.locator("h3", has_text="FlorenceIN").is_visible()
    assert _fits_the_screen(phone)

    phone.click("text=FlorenceIN")
    assert phone.url.endswith("/florence/")
    assert "soci tesserati" in phone.content()
    assert _fits_the_screen(phone)

    phone.click("a[href='/accounts/signup/']")
    phone.fill("input[name=email]", "giovanna@example.com")
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    _submit(phone)
    phone.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert _fits_the_screen(phone)

    body = OutboxEmail.objects.get(to="giovanna@example.com").body_text
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert link, body
    phone.goto(live_server.url + urlsplit(link.group(0)).path)
    _submit(phone)

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=login]", "giovanna@example.com")
    phone.fill("input[name=password]", PASSWORD)
    _submit(phone)
    phone.wait_for_url(re.compile(r"/me/$"))
    assert phone.locator("h1", has_text="Il mio ClubIN").is_visible()

    phone.click("button[value=en]")
    phone.wait_for_selector("h1:has-text('My ClubIN')")
    assert _fits_the_screen(phone)
