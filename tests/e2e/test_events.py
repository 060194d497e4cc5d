"""In a real browser: a member registers for an event and downloads its .ics; at the door, on a
phone, the coordinator checks the ticket in by code and by name search (htmx, no reload)."""

import re
from pathlib import Path

import pytest
from django_scopes import scope

from events.models import Registration
from events.services.registrations import registration_register
from outbox.models import OutboxEmail
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import (
    Audit,
    desktop,
    fits_the_screen,
    log_in,
    mark_page,
    same_page,
)
from tests.events.factories import make_event, starting_soon

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def test_it_registers_and_checks_in_at_the_door(live_server, browser, phone, personas, settings):
    settings.OUTBOX_SCRUB_SECRETS = False  # the test reads the ticket email once it is sent
    base = live_server.url
    audit = Audit()
    event = make_event(
        personas.florence, capacity=20, title="Aperitivo al Baglioni", starts_at=starting_soon()
    )
    desk_context, desk = desktop(browser)
    log_in(desk, base, "bob@example.com")
    desk.goto(f"{base}/florence/events/{event.pk}/")
    audit.check(desk, "before registering")
    desk.locator("#registration form button[type=submit]").click()
    desk.wait_for_selector(".ticket-qr svg")
    audit.check(desk, "registered")
    with desk.expect_download() as download:
        desk.click(f"a[href$='/events/{event.pk}/event.ics']")
    assert download.value.suggested_filename.endswith(".ics")
    ics = Path(download.value.path()).read_bytes()
    assert b"BEGIN:VEVENT" in ics and b"Aperitivo al Baglioni" in ics
    desk_context.close()
    with scope(network=personas.florence):
        ticket = Registration.objects.get(event=event, user=personas.bob)
    # The ticket went out by email, carrying its code.
    [email] = OutboxEmail.objects.filter(template="event-ticket", to="bob@example.com")
    assert ticket.ticket_code in email.body_text
    assert any(a["filename"].endswith(".ics") for a in email.attachments)

    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/events/{event.pk}/checkin/")
    assert phone.evaluate("typeof window.QrScanner") == "function"  # the vendored reader loaded
    audit.check(phone)
    mark_page(phone)
    phone.fill("#scan-code", ticket.ticket_code)
    phone.locator("#scan-form button[type=submit]").click()
    phone.wait_for_selector("#door-result .door-ok")
    assert phone.locator("#door-counts strong").first.inner_text() == "1"
    phone.fill("#scan-code", ticket.ticket_code)  # the same ticket again
    phone.locator("#scan-form button[type=submit]").click()
    phone.wait_for_selector("#door-result .door-warn")
    audit.check(phone, "the same ticket twice")

    # Search by name: nobody yet, then Alice registers (from another device) and is found.
    phone.fill("input[type=search]", "Arnolfi")
    phone.wait_for_selector("#door-search p")
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.alice)
    phone.fill("input[type=search]", "Arnol")
    phone.wait_for_selector("#door-search article button")
    audit.check(phone, "found by name")
    phone.locator("#door-search article button").click()
    phone.wait_for_selector("#door-result .door-ok")
    assert phone.locator("#door-counts strong").first.inner_text() == "2"
    # The tapped row says the person arrived, so nobody taps twice.
    assert phone.locator("#door-search article button").count() == 0
    assert re.search(r"/checkin/$", phone.url)
    assert same_page(phone), "a check-in step reloaded the page"  # every step was htmx
    assert fits_the_screen(phone)
    audit.check(phone, "checked in by name")
    assert errors == []
    audit.assert_clean()
