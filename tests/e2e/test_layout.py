"""In a real browser: the page shell and the components of docs/ui.md hold on a 360 px phone.

Each test is one break a walk through every page found: the header wrapping into two rows, the
coordinator's tabs taking three, the review queue's buttons pushing the page sideways, the
directory's search button drawn as a half-oval, the check-in button on three lines and its
counters shown twice; and the confirmation dialog before a decision that is hard to undo.
"""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from members.models import MembershipApplication
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, fits_the_screen, log_in
from tests.events.factories import make_event, starting_soon
from tests.members.factories import applicant, application, applications

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return found


def within(page, inner: str, outer: str) -> bool:
    """Whether the first ``inner`` element's box lies inside the first ``outer`` element's."""
    a, b = box(page, inner), box(page, outer)
    return (
        a["x"] >= b["x"] - 0.5
        and a["y"] >= b["y"] - 0.5
        and a["x"] + a["width"] <= b["x"] + b["width"] + 0.5
        and a["y"] + a["height"] <= b["y"] + b["height"] + 0.5
    )


def lines_of(page, selector: str) -> int:
    """How many lines the element's text takes on screen."""
    return page.locator(selector).first.evaluate(
        """(el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
            return tops.size;
        }"""
    )


def test_it_folds_the_header_into_one_row_with_a_menu_on_a_phone(
    live_server, browser, phone, personas
):
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/")
    header = box(phone, "header.site-header")
    assert header["height"] < 64, "the header takes more than one row"
    for part in (".brand", ".site-menu > summary", ".language-switch button"):
        assert within(phone, part, "header.site-header"), part
    # The links wait behind the menu button, then open over the page, inside the screen.
    links = phone.locator(".site-nav a", has_text="Gestisci FlorenceIN")
    expect(links).to_be_hidden()
    audit.check(phone, "menu closed")
    phone.click(".site-menu > summary")
    expect(links).to_be_visible()
    expect(phone.locator(".site-nav a[href='/#networks']")).to_be_visible()
    for item in (".site-nav a[href='/#networks']", ".site-nav button[type=submit]"):
        assert within(phone, item, "body"), item
    assert fits_the_screen(phone)
    audit.check(phone, "menu open")
    links.click()
    phone.wait_for_url(re.compile(r"/florence/manage/$"))
    phone.click(".site-menu > summary")
    expect(phone.locator(".site-nav a[aria-current=page]")).to_have_text("Gestisci FlorenceIN")

    # At a desk the same links stand in the bar, no menu button, still one row.
    context, desk = desktop(browser)
    desk.set_viewport_size(WIDE)
    log_in(desk, base, "alice@example.com")
    expect(desk.locator(".site-menu > summary")).to_be_hidden()
    expect(desk.locator(".site-nav a", has_text="Gestisci FlorenceIN")).to_be_visible()
    expect(desk.locator(".site-nav a[href='/#networks']")).to_be_visible()
    assert box(desk, "header.site-header")["height"] < 64
    assert fits_the_screen(desk)
    audit.check(desk, "desk")
    context.close()
    audit.assert_clean()


def test_it_shows_the_coordinators_tabs_in_one_row_with_the_current_one(
    live_server, phone, personas
):
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/applications/")
    tabs = box(phone, ".workspace-nav .tabs")
    assert tabs["height"] < 56, "the workspace tabs take more than one row"
    assert within(phone, ".workspace-nav .tabs", "main")
    expect(phone.locator(".workspace-nav a[aria-current=page]")).to_have_text("Candidature")
    # More tabs wait on the right: the row says so (its edge fades).
    expect(phone.locator(".workspace-nav .tabs")).to_have_attribute(
        "data-more", re.compile("end|both")
    )
    assert fits_the_screen(phone)
    audit.check(phone)
    phone.goto(f"{base}/florence/manage/settings/")
    current = phone.locator(".workspace-nav a[aria-current=page]")
    expect(current).to_have_text("Impostazioni")
    assert within(phone, ".workspace-nav a[aria-current=page]", ".workspace-nav .tabs"), (
        "the current tab was left off-screen"
    )
    audit.assert_clean()


def test_it_fits_the_review_queue_on_a_phone_and_confirms_a_rejection(live_server, phone, personas):
    waiting = applications(personas.florence, 3)
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/applications/")
    assert fits_the_screen(phone), "the review queue scrolls sideways"
    first = f"#application-{waiting[0].pk}"
    for action in ("approved", "waitlisted", "rejected"):
        assert within(phone, f"{first} button[value={action}]", first), action
    audit.check(phone)

    # Rejecting asks first, naming the person; "Cancel" changes nothing.
    phone.click(f"{first} button[value=rejected]")
    dialog = phone.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Nome0 Cognome0")
    assert within(phone, "#confirm-dialog .confirm-box", "body")
    audit.check(phone, "confirm a rejection")
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    assert _status(waiting[0]) == "pending"
    # Confirmed, the decision goes through in place (htmx) as before.
    phone.click(f"{first} button[value=rejected]")
    dialog.locator("button[value=confirm]").click()
    expect(phone.locator(f"{first}[role=status]")).to_be_visible()
    assert _status(waiting[0]) == "rejected"

    # A bulk decision says how many it is about to decide.
    for application_ in waiting[1:]:
        phone.check(f"#application-{application_.pk} input[name=applications]")
    phone.select_option("#bulk select[name=action]", "rejected")
    phone.click("#bulk button[type=submit]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("p")).to_have_text(re.compile(r"\b2\b"))
    dialog.locator("button[value=cancel]").click()
    assert [_status(a) for a in waiting[1:]] == ["pending", "pending"]
    phone.click("#bulk button[type=submit]")
    dialog.locator("button[value=confirm]").click()
    phone.wait_for_load_state("load")
    expect(phone.locator(f"#application-{waiting[1].pk}")).to_have_count(0)
    assert [_status(a) for a in waiting[1:]] == ["rejected", "rejected"]
    audit.assert_clean()


def _status(application_: MembershipApplication) -> str:
    with scope(network=application_.network):
        return MembershipApplication.objects.get(pk=application_.pk).status


def test_it_confirms_before_an_applicant_withdraws(live_server, phone, personas):
    application(personas.florence, personas.dave)
    base = live_server.url
    log_in(phone, base, "dave@example.com")
    withdraw = phone.locator("form[action*='/withdraw/'] button")
    withdraw.click()
    dialog = phone.locator("#confirm-dialog")
    expect(dialog).to_contain_text("FlorenceIN")
    dialog.locator("button[value=cancel]").click()
    expect(withdraw).to_be_visible()
    withdraw.click()
    dialog.locator("button[value=confirm]").click()
    expect(phone.locator("form[action*='/withdraw/']")).to_have_count(0)
    with scope(network=personas.florence):
        assert MembershipApplication.objects.get(user=personas.dave).status == "withdrawn"


def test_it_keeps_the_directory_search_on_one_row_on_a_phone(live_server, phone, personas):
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "bob@example.com")
    phone.goto(f"{base}/florence/members/")
    search, button = box(phone, "input[name=q]"), box(phone, "form.toolbar button[type=submit]")
    assert abs(search["y"] - button["y"]) < 2, "the search button left the input's row"
    assert button["height"] < 56 and button["width"] < 160, "the button is not a button's size"
    assert search["width"] > 150, "the search box is cut"
    for field in ("input[name=q]", "select[name=sector]", "input[name=city]"):
        assert within(phone, field, "main form.toolbar"), field
    assert within(phone, "main form.toolbar", "main")
    assert fits_the_screen(phone)
    audit.check(phone)
    audit.assert_clean()


def test_it_keeps_one_counters_panel_and_a_one_line_button_at_the_door(
    live_server, phone, personas
):
    event = make_event(personas.florence, title="Aperitivo al Baglioni", starts_at=starting_soon())
    applicant(1)  # someone else in the database, never shown
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/events/{event.pk}/checkin/")
    assert lines_of(phone, "#scan-form button[type=submit]") == 1, "Check in wraps"
    assert within(phone, "#scan-form button[type=submit]", "#scan-form")
    phone.click("main details summary")
    expect(phone.locator(".door-counts")).to_have_count(1)
    phone.fill("#walk-in input[name=name]", "Giulia Neri")
    phone.click("#walk-in button[type=submit]")
    expect(phone.locator("#walk-in .message-success")).to_be_visible()
    expect(phone.locator(".door-counts")).to_have_count(1)
    walk_ins = phone.locator("#door-counts strong").nth(2)
    expect(walk_ins).to_have_text("1")
    assert fits_the_screen(phone)
    audit.check(phone, "after a walk-in")
    audit.assert_clean()
