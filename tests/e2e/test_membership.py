"""In a real browser: an aspiring member applies on a phone, a coordinator approves in place
(htmx), and the new member finds their card with its QR code."""

import re

import pytest
from django_scopes import scopes_disabled

from members.models import MembershipApplication
from networks.models import Membership
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/me/$"))


def test_it_takes_an_applicant_to_a_card(live_server, browser, phone, personas):
    make_user("giovanna@example.com")
    base = live_server.url

    _log_in(phone, base, "giovanna@example.com")
    phone.goto(f"{base}/florence/apply/")
    for name, value in {
        "first_name": "Giovanna", "last_name": "Lippi", "company": "Lippi Design",
        "job_title": "Titolare", "city": "Prato", "motivation": "Conoscere imprese toscane",
    }.items():  # fmt: skip
        phone.fill(f"input[name={name}], textarea[name={name}]", value)
    phone.select_option("select[name=sector]", "design")
    phone.check("input[name=privacy]")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/me/$"))
    assert phone.locator("form[action*='/withdraw/']").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with scopes_disabled():
        application = MembershipApplication.objects.get(user__email="giovanna@example.com")
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    desk = coordinator.new_page()
    _log_in(desk, base, "alice@example.com")
    desk.goto(f"{base}/florence/manage/applications/")
    row = desk.locator(f"#application-{application.pk}")
    row.locator("button[value=approved]").click()
    # htmx swaps the row for the outcome, with no page load.
    desk.wait_for_selector(f"#application-{application.pk}[role=status]")
    assert desk.url.endswith("/florence/manage/applications/")
    coordinator.close()

    with scopes_disabled():
        membership = Membership.objects.get(user__email="giovanna@example.com")
    assert membership.card_number == 3

    phone.goto(f"{base}/me/")
    card = phone.locator("svg").first
    assert card.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
