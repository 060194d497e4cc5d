"""A newcomer on a phone: finds their network, presses "apply", signs up, confirms the email and
lands signed in on FlorenceIN's form, applies answering its own questions, and sees the
application pending."""

import re
from urllib.parse import urlsplit

import pytest
from django_scopes import scope, scopes_disabled

from members.models import ApplicationQuestion, MembershipApplication
from outbox.models import OutboxEmail
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, fits_the_screen, screenshot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def _questions(network) -> tuple[ApplicationQuestion, ApplicationQuestion]:
    with scope(network=network):
        how = ApplicationQuestion.objects.create(
            network=network, label="Come ci hai conosciuto?", position=1,
            kind=ApplicationQuestion.Kind.CHOICE, choices="LinkedIn\nUn socio\nUn evento",
        )  # fmt: skip
        offer = ApplicationQuestion.objects.create(
            network=network, label="Che cosa puoi offrire agli altri soci?", position=2,
            kind=ApplicationQuestion.Kind.LONG_TEXT, help_text="Due righe bastano.",
        )  # fmt: skip
    return how, offer


def test_it_walks_a_newcomer_from_home_to_a_pending_application(
    live_server, browser, phone, personas, settings
):
    settings.OUTBOX_SCRUB_SECRETS = False  # the test reads the verification link once it is sent
    how, offer = _questions(personas.florence)
    base = live_server.url
    audit = Audit()

    wide, desk = desktop(browser)
    desk.goto(base)
    audit.check(desk, "desktop")
    wide.close()

    phone.goto(base)
    assert phone.locator("h3", has_text="FlorenceIN").is_visible()
    assert fits_the_screen(phone)
    audit.check(phone)

    phone.click("text=FlorenceIN")
    assert phone.url.endswith("/florence/")
    assert "soci tesserati" in phone.content()
    assert fits_the_screen(phone)
    audit.check(phone)
    screenshot(phone, "network-phone.png")

    # "Apply to join": the login page, whose signup link keeps where she was going.
    phone.click("main a[href='/florence/apply/']")
    phone.wait_for_url(re.compile(r"/accounts/login/\?next=/florence/apply/$"))
    audit.check(phone, "apply, signed out")
    phone.click("main a[href^='/accounts/signup/']")
    phone.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    audit.check(phone)
    phone.fill("input[name=email]", "giovanna@example.com")
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    _submit(phone)
    phone.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert fits_the_screen(phone)
    audit.check(phone)

    # The link from the email, opened in the same browser: confirming signs her in and goes
    # on to FlorenceIN's form, with its own questions in it (no login page, no /me/ detour).
    body = OutboxEmail.objects.get(to="giovanna@example.com").body_text
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert link, body
    confirm = urlsplit(link.group(0))
    phone.goto(f"{live_server.url}{confirm.path}?{confirm.query}")
    audit.check(phone)
    _submit(phone)
    phone.wait_for_url(re.compile(r"/florence/apply/$"))
    assert phone.locator("h1", has_text="Candidati a FlorenceIN").is_visible()
    assert phone.get_by_label("Come ci hai conosciuto?").is_visible()
    audit.check(phone)
    for name, value in {
        "first_name": "Giovanna", "last_name": "Lippi", "company": "Lippi Design",
        "job_title": "Titolare", "city": "Prato", "motivation": "Conoscere imprese toscane",
    }.items():  # fmt: skip
        phone.fill(f"input[name={name}], textarea[name={name}]", value)
    phone.select_option("select[name=sector]", "design")
    phone.get_by_label("Come ci hai conosciuto?").select_option("Un evento")
    phone.get_by_label("Che cosa puoi offrire agli altri soci?").fill("Consulenza sul design")
    phone.check("input[name=privacy]")
    assert fits_the_screen(phone)
    _submit(phone)
    phone.wait_for_url(re.compile(r"/me/$"))
    assert phone.locator("[role=status]", has_text="candidatura a FlorenceIN").is_visible()
    assert phone.locator("td", has_text="In attesa").is_visible()
    assert phone.locator("form[action*='/withdraw/']").count() == 1
    assert fits_the_screen(phone)
    audit.check(phone, "application sent")
    screenshot(phone, "me-pending-phone.png")

    with scopes_disabled():
        application = MembershipApplication.objects.get(user__email="giovanna@example.com")
    assert application.status == MembershipApplication.Status.PENDING
    assert application.network == personas.florence
    assert {a["label"]: a["value"] for a in application.answers.values()} == {
        how.label: "Un evento",
        offer.label: "Consulenza sul design",
    }

    # The form, opened again, says the application is with the coordinators.
    phone.goto(f"{base}/florence/apply/")
    assert phone.get_by_text("i coordinatori la stanno esaminando").is_visible()
    audit.check(phone, "already applied")

    audit.assert_clean()
