"""In a real browser, on a 360-pixel phone: a visitor reads a network's public page and writes
to its coordinators; a coordinator and a member read their own home page. Every page fits
the screen and passes axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from outbox.models import OutboxEmail
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, fits_the_screen, log_in, screenshot
from tests.events.factories import make_event
from tests.members.factories import applications

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _evenings(personas) -> None:
    for day, title in [(4, "Aperitivo di primavera a Palazzo Strozzi"), (11, "Colazione d'affari")]:
        make_event(
            personas.florence,
            title=title,
            starts_at=timezone.now() + timedelta(days=day),
            visibility=Event.Visibility.PUBLIC,
        )


def test_it_lets_a_visitor_write_to_the_coordinators_on_a_phone(live_server, phone, personas):
    _evenings(personas)
    base = live_server.url
    audit = Audit()
    phone.goto(f"{base}/florence/")
    assert phone.locator("main article.event-item").count() == 2
    audit.check(phone, "public page")
    assert fits_the_screen(phone)
    screenshot(phone, "network-page-phone.png")
    phone.click("main form.contact-form button[type=submit]")  # empty: errors, no email
    phone.wait_for_selector("main form.contact-form [aria-invalid=true]")
    audit.check(phone, "contact form with errors")
    assert fits_the_screen(phone)
    phone.fill("input[name=name]", "Giulia Verdi")
    phone.fill("input[name=email]", "giulia@example.com")
    phone.fill("textarea[name=message]", "Posso venire alla prossima serata come ospite?")
    phone.click("main form.contact-form button[type=submit]")
    phone.wait_for_selector(".message-success")
    audit.check(phone, "message sent")
    assert fits_the_screen(phone)
    audit.assert_clean()
    sent = OutboxEmail.objects.get(template="network-contact")
    assert sent.to == "alice@example.com" and sent.reply_to == "giulia@example.com"
    assert "alice@example.com" not in phone.content()


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_it_fits_the_signed_in_home_on_a_phone(live_server, phone, personas, who):
    _evenings(personas)
    applications(personas.florence, 2)
    base = live_server.url
    audit = Audit()
    log_in(phone, base, f"{who}@example.com")
    phone.goto(f"{base}/")
    assert phone.locator("#tasks-heading").count() == 1
    audit.check(phone, f"home of {who}")
    assert fits_the_screen(phone)
    if who == "alice":
        assert phone.locator("a[href='/florence/manage/applications/']").count() == 1
        screenshot(phone, "home-signed-in-phone.png")
    audit.assert_clean()
