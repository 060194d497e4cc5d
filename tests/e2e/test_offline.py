"""In a real browser: a member's ticket and card, once seen, open without a network; other
signed-in pages are never kept, and logging out forgets what was."""

import pytest
from django_scopes import scope
from playwright.sync_api import Error as PlaywrightError

from events.services.registrations import registration_register
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import log_in
from tests.events.factories import make_event

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _controlled(page) -> None:
    """Wait until the service worker answers this page's requests (it claims open pages)."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _stored(page) -> list[str]:
    return page.evaluate(
        """async () => {
            const found = [];
            for (const name of await caches.keys()) {
                const store = await caches.open(name);
                for (const request of await store.keys()) found.push(new URL(request.url).pathname);
            }
            return found.sort();
        }"""
    )


def test_it_opens_the_ticket_and_the_card_offline_once_seen(live_server, browser, personas):
    base = live_server.url
    event = make_event(personas.florence, title="Aperitivo al Baglioni")
    with scope(network=personas.florence):
        registration, _new = registration_register(event=event, user=personas.bob)
    ticket = f"/florence/events/{event.pk}/"
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="it-IT")
    page = context.new_page()
    log_in(page, base, "bob@example.com")
    _controlled(page)
    page.goto(base + ticket)
    page.goto(f"{base}/me/")
    page.goto(f"{base}/florence/members/")  # signed in, but neither card nor ticket
    assert _stored(page) == [f"/florence/events/{event.pk}/", "/me/"]

    context.set_offline(True)
    page.goto(base + ticket)
    assert registration.ticket_code in page.locator("main").inner_text()
    page.reload()
    assert registration.ticket_code in page.locator("main").inner_text()
    page.goto(f"{base}/me/")
    assert page.locator(".card, [class*=card]").count() > 0
    with pytest.raises(PlaywrightError):
        page.goto(f"{base}/florence/members/")

    # Back online, logging out empties the store: the next person sees nothing of Bob's.
    context.set_offline(False)
    page.goto(f"{base}/me/")
    page.locator("summary", has_text="Menu").click()  # on a phone, log out is in the menu
    page.locator("form[action='/accounts/logout/'] button").first.click()
    page.wait_for_url(f"{base}/")
    assert _stored(page) == []
    context.close()
