"""In a real browser, on a phone: a member adds a photo to his profile; the coordinator meets it
in the directory and in "who is coming" on an event page. Each page fits 360 pixels."""

import io

import pytest
from PIL import Image

from members.services.profiles import profile_update
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, fits_the_screen, log_in
from tests.events.factories import make_event

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), "darkorange").save(out, "JPEG")
    return out.getvalue()


def _loaded(page, selector: str) -> bool:
    """The image was served (by the photo view) and decoded by the browser: a 400-pixel photo.

    Thumbnails load lazily, so it is brought into view and waited for (a broken image is
    "complete" too, with no width)."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_function("s => document.querySelector(s).complete", arg=selector)
    return page.eval_on_selector(selector, "img => img.naturalWidth") == 400


def test_it_shows_a_member_s_photo_where_others_meet_him(live_server, browser, phone, personas):
    base = live_server.url
    audit = Audit()
    profile_update(user=personas.bob, company="Bellini Ceramiche")
    event = make_event(personas.florence, capacity=20, title="Aperitivo al Baglioni")

    log_in(phone, base, "bob@example.com")
    phone.goto(f"{base}/me/profile/")
    audit.check(phone, "no photo yet")
    photo = {"name": "bob.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    phone.set_input_files("input[name=photo]", files=[photo])
    phone.locator("main form button[type=submit]").last.click()
    phone.wait_for_selector("img.avatar-large")
    assert _loaded(phone, "img.avatar-large")
    audit.check(phone, "with a photo")
    assert fits_the_screen(phone)
    phone.goto(f"{base}/florence/events/{event.pk}/")
    phone.check("input[name=listed]")
    phone.locator("#registration form button[type=submit]").click()
    phone.wait_for_selector(".ticket-qr svg")
    listing = f"form[action='/florence/events/{event.pk}/listing/']"
    assert phone.locator(listing).count() == 1  # the switch, to hide him again

    phone.context.clear_cookies()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/members/")
    bob_photo = f"img.avatar[src^='/people/{personas.bob.pk}/photo/']"
    assert _loaded(phone, bob_photo)
    assert phone.locator("span.avatar").count() >= 1  # Alice herself: initials
    audit.check(phone, "directory with a photo")
    assert fits_the_screen(phone)
    phone.goto(f"{base}/florence/events/{event.pk}/")
    phone.wait_for_selector("#who-is-coming")
    assert _loaded(phone, f"#who-is-coming {bob_photo}")
    assert "Bellini Ceramiche" in phone.inner_text("#who-is-coming")
    audit.check(phone, "who is coming")
    assert fits_the_screen(phone)
    audit.assert_clean()
