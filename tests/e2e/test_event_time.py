"""In a real browser, on a 360-pixel phone: a member finds her places marked in the events list
(a confirmed place, a waitlist position), the position again on "My events", and an evening
of 2009 reported as concluded with its attendance; a visitor following a member's link to a
members-only evening is asked to log in and then lands on it."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from events.services.checkin import checkin_registration, walk_in_add
from events.services.registrations import registration_register
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, fits_the_screen, log_in
from tests.events.factories import make_event

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _evening_2009(personas):
    starts = datetime(2009, 3, 12, 19, 0, tzinfo=ZoneInfo("Europe/Rome"))
    with time_machine.travel(starts - timedelta(days=10), tick=False):
        event = make_event(personas.florence, title="Serata del 2009", capacity=2, starts_at=starts)
        with scope(network=personas.florence):
            mine, _ = registration_register(event=event, user=personas.bob)
            registration_register(event=event, user=personas.alice)
    at_the_door = time_machine.travel(starts + timedelta(minutes=10), tick=False)
    with at_the_door, scope(network=personas.florence):
        checkin_registration(event=event, registration_id=mine.pk, by=personas.alice)
        walk_in_add(event=event, name="Walter", email="", company="", by=personas.alice)
    return event


def test_it_shows_my_places_and_a_concluded_evening_on_a_phone(
    live_server, browser, phone, personas
):
    base = live_server.url
    audit = Audit()
    going = make_event(personas.florence, title="Aperitivo al Baglioni", capacity=20)
    full = make_event(personas.florence, title="Cena sociale", capacity=1)
    with scope(network=personas.florence):
        registration_register(event=going, user=personas.bob)
        registration_register(event=full, user=personas.alice)
        registration_register(event=full, user=personas.bob)
    old = _evening_2009(personas)

    # A visitor with Bob's link to a members-only evening: the login page, then the evening.
    phone.goto(f"{base}/florence/events/{going.pk}/")
    phone.wait_for_url(re.compile(rf"/accounts/login/\?next=/florence/events/{going.pk}/$"))
    phone.fill("input[name=login]", "bob@example.com")
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url(re.compile(rf"/florence/events/{going.pk}/$"))
    assert phone.locator(".ticket-qr svg").is_visible()

    phone.goto(f"{base}/florence/events/")
    going_item = phone.locator("article.event-item", has_text="Aperitivo al Baglioni")
    assert going_item.locator(".badge.mine").is_visible()
    waiting_item = phone.locator("article.event-item", has_text="Cena sociale")
    assert waiting_item.locator(".badge.mine.waiting", has_text="n. 1").is_visible()
    old_item = phone.locator("article.event-item", has_text="Serata del 2009")
    assert old_item.locator(".attendance-summary").is_visible()
    assert old_item.locator(".badge.mine").count() == 1  # "you were there", not "you're in"
    assert "full" not in old_item.inner_text().lower()
    assert fits_the_screen(phone)
    audit.check(phone, "my places marked")

    phone.goto(f"{base}/me/events/")
    waiting = phone.locator("article", has_text="Cena sociale")
    assert waiting.locator(".waitlist-place", has_text="n. 1").is_visible()
    assert waiting.locator("time").is_visible()
    assert fits_the_screen(phone)
    audit.check(phone, "waitlisted")

    phone.goto(f"{base}/florence/events/{old.pk}/")
    assert phone.locator("#concluded .attendance-summary").is_visible()
    assert phone.locator("#registration form").count() == 0
    assert fits_the_screen(phone)
    audit.check(phone, "concluded")

    phone.context.clear_cookies()  # Bob leaves; Alice, the coordinator, picks the phone up
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/events/{old.pk}/")
    assert phone.locator(f"a[href$='/manage/events/{old.pk}/checkin/']").count() == 0
    assert phone.locator(f"a[href$='/manage/events/{old.pk}/edit/']").count() == 0
    assert fits_the_screen(phone)
    audit.check(phone, "concluded, coordinator")

    audit.assert_clean()
