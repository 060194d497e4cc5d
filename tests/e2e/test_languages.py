"""In a real browser: the language switch turns each page of the journeys into English and back
into Italian, on the page the reader is on."""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from members.models import User
from members.services.invitations import Invitee, invitation_send
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, fits_the_screen, log_in, screenshot
from tests.events.factories import make_event, starting_soon

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _both_ways(page, audit: Audit, url: str, english: str, italian: str, shot: str = "") -> None:
    """Open the page in Italian, switch it to English, then back; each text only in its own."""
    page.goto(url)
    main = page.locator("main")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(main).to_contain_text(italian)
    audit.check(page, "it")

    page.click("button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(main).to_contain_text(english)
    expect(main).not_to_contain_text(italian)
    assert page.url == url, "the switch left the page"
    assert fits_the_screen(page)
    audit.check(page, "en")
    if shot:
        screenshot(page, shot)

    page.click("button[value=it]")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(main).to_contain_text(italian)
    expect(main).not_to_contain_text(english)
    assert page.url == url, "the switch left the page"


def _invitation_path(mailoutbox, personas) -> str:
    with scope(network=personas.florence):
        invitation_send(
            network=personas.florence, inviter=personas.alice, by_coordinator=True,
            invitee=Invitee("giulia.neri@example.com", "Giulia Neri"),
        )  # fmt: skip
    [message] = mailoutbox
    return re.search(r"https?://\S+(/invite/[\w-]+/)", message.body).group(1)  # type: ignore[union-attr]


def test_it_switches_every_page_to_english_and_back(
    live_server, browser, phone, personas, mailoutbox
):
    base = live_server.url
    audit = Audit()
    # Starting within the hour: the check-in page shows the door, not "opens at".
    event = make_event(personas.florence, title="Aperitivo al Baglioni", starts_at=starting_soon())
    invite = _invitation_path(mailoutbox, personas)
    User.objects.filter(pk=personas.alice.pk).update(is_staff=True)  # coordinator and staff

    # An aspiring member on a phone: public pages, then their own.
    _both_ways(
        phone, audit, f"{base}/",
        "ClubIN, the federation of regional business networks",
        "ClubIN, la federazione delle reti imprenditoriali regionali",
    )  # fmt: skip
    _both_ways(phone, audit, f"{base}/florence/", "card-holding members", "soci tesserati")
    log_in(phone, base, "dave@example.com")
    audit.check(phone)
    _both_ways(phone, audit, base + invite, "Invitation to FlorenceIN", "Invito a FlorenceIN")
    _both_ways(phone, audit, f"{base}/florence/apply/", "Apply to FlorenceIN", "Candidati a")
    _both_ways(
        phone, audit, f"{base}/me/", "My networks", "Le mie reti", shot="me-english-phone.png"
    )

    # A coordinator who is also federation staff, at a desk.
    context, desk = desktop(browser)
    log_in(desk, base, "alice@example.com")
    audit.check(desk)
    pages = [
        (f"/florence/events/{event.pk}/", "Add to my calendar", "Aggiungi al mio calendario"),
        (f"/florence/manage/events/{event.pk}/checkin/", "Scan a ticket", "Scansiona un biglietto"),
        ("/florence/manage/applications/", "Applications to FlorenceIN", "Candidature a"),
        ("/florence/manage/invitations/", "Invitations to FlorenceIN", "Inviti a"),
        ("/florence/manage/stats/", "FlorenceIN in figures", "FlorenceIN in numeri"),
        ("/federation/", "The federation at a glance", "La federazione in sintesi"),
    ]
    for path, english, italian in pages:
        _both_ways(desk, audit, base + path, english, italian)
    context.close()

    audit.assert_clean()
