"""In a real browser: an aspiring member applies on a phone, a coordinator approves in place
(htmx), and the new member finds their card with its QR code."""

import re

import pytest
from django_scopes import scopes_disabled

from members.models import MembershipApplication
from networks.models import Membership
from tests.conftest import make_user
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import (
    Audit,
    desktop,
    fits_the_screen,
    log_in,
    mark_page,
    same_page,
)

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def test_it_takes_an_applicant_to_a_card(live_server, browser, phone, personas):
    make_user("giovanna@example.com")
    base = live_server.url
    audit = Audit()

    log_in(phone, base, "giovanna@example.com")
    phone.goto(f"{base}/florence/apply/")
    audit.check(phone)
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
    assert fits_the_screen(phone)
    audit.check(phone, "application sent")

    with scopes_disabled():
        application = MembershipApplication.objects.get(user__email="giovanna@example.com")
    coordinator, desk = desktop(browser)
    log_in(desk, base, "alice@example.com")
    audit.check(desk)
    desk.goto(f"{base}/florence/manage/applications/")
    row = desk.locator(f"#application-{application.pk}")
    assert row.get_by_text("Conoscere imprese toscane").is_visible()
    audit.check(desk)
    mark_page(desk)
    row.locator("button[value=approved]").click()
    # htmx swaps the row for the outcome, with no page load.
    desk.wait_for_selector(f"#application-{application.pk}[role=status]")
    assert desk.url.endswith("/florence/manage/applications/")
    assert same_page(desk), "the approval reloaded the page"
    audit.check(desk, "after approving")
    coordinator.close()

    with scopes_disabled():
        membership = Membership.objects.get(user__email="giovanna@example.com")
    assert membership.card_number == 3

    phone.goto(f"{base}/me/")
    card = phone.locator(".membership-card")
    assert card.get_by_text("Giovanna Lippi").is_visible()
    qr = card.locator("figure svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100  # big enough to scan
    assert fits_the_screen(phone)
    audit.check(phone, "member")

    audit.assert_clean()
