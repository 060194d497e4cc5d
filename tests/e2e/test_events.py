"""In a real browser: a member registers for an event and downloads its .ics; at the door, on a
phone, the coordinator checks the ticket in by code and by name search (htmx, no reload)."""

import re
from pathlib import Path

import pytest
from django_scopes import scope

from events.models import Registration
from events.services.registrations import registration_register
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_membership import _log_in
from tests.events.factories import make_event

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_it_registers_and_checks_in_at_the_door(live_server, browser, phone, personas):
    base = live_server.url
    event = make_event(personas.florence, capacity=20, title="Aperitivo al Baglioni")
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    desk = desk_context.new_page()
    _log_in(desk, base, "bob@example.com")
    desk.goto(f"{base}/florence/events/{event.pk}/")
    desk.locator("#registration form button[type=submit]").click()
    desk.wait_for_selector(".ticket-qr svg")
    SCREENSHOTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(SCREENSHOTS / "event-desktop.png"), full_page=True)
    with desk.expect_download() as download:
        desk.click(f"a[href$='/events/{event.pk}/event.ics']")
    assert b"BEGIN:VEVENT" in Path(download.value.path()).read_bytes()
    desk_context.close()
    with scope(network=personas.florence):
        ticket = Registration.objects.get(event=event, user=personas.bob)

    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/events/{event.pk}/checkin/")
    assert phone.evaluate("typeof window.QrScanner") == "function"  # the vendored reader loaded
    phone.fill("#scan-code", ticket.ticket_code)
    phone.locator("#scan-form button[type=submit]").click()
    phone.wait_for_selector("#door-result .door-ok")
    assert phone.locator("#door-counts strong").first.inner_text() == "1"
    phone.fill("#scan-code", ticket.ticket_code)  # the same ticket again
    phone.locator("#scan-form button[type=submit]").click()
    phone.wait_for_selector("#door-result .door-warn")

    # Search by name: nobody yet, then Alice registers (from another device) and is found.
    phone.fill("input[type=search]", "Arnolfi")
    phone.wait_for_selector("#door-search p")
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.alice)
    phone.fill("input[type=search]", "Arnol")
    phone.wait_for_selector("#door-search article button")
    phone.locator("#door-search article button").click()
    phone.wait_for_selector("#door-result .door-ok")
    assert phone.locator("#door-counts strong").first.inner_text() == "2"
    # The tapped row says the person arrived, so nobody taps twice.
    assert phone.locator("#door-search article button").count() == 0
    assert re.search(r"/checkin/$", phone.url)  # every step was htmx: no page load
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "checkin-phone.png"), full_page=True)
    assert errors == []
