"""In a real browser, on a phone: the member pickers' search box, with the keyboard only, and
the same form without JavaScript; the introducer's list and the coordinators' unconnected
members fit a 360-pixel screen."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from members.services.profiles import profile_update
from networks.models import Membership
from tests.conftest import make_user
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, fits_the_screen, log_in, tab_to
from tests.members.factories import member
from ties.models import Origin, Referral
from ties.services.connections import connection_make
from ties.services.introductions import introduction_make

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crowd(personas):
    """FlorenceIN with 60 more members, Erica Esposito among them; Alice knows Bob and Erica."""
    for n in range(60):
        person = make_user(f"socio{n}@example.com", first_name="Socio", last_name=f"Numero{n}")
        member(personas.florence, person, card=100 + n, joined_on=timezone.localdate())
    erica = make_user("erica@example.com", first_name="Erica", last_name="Esposito")
    member(personas.florence, erica, card=3)
    profile_update(user=erica, company="Esposito Srl")
    connection_make(user_a=personas.alice, user_b=personas.bob, origin=Origin.ASK)
    connection_make(user_a=personas.alice, user_b=erica, origin=Origin.ASK)
    personas.erica = erica
    return personas


def _pick(page, selector: str, typed: str, *, downs: int = 1) -> None:
    """Tab to the search box, type, wait for the list, arrow down and press Enter."""
    tab_to(page, selector)
    page.keyboard.type(typed, delay=30)
    page.wait_for_selector(f"{selector} ~ [role=listbox] [role=option]")
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    active = page.get_attribute(selector, "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert page.get_attribute(selector, "aria-expanded") == "true"
    page.keyboard.press("Enter")  # chooses; does not send the form
    assert page.get_attribute(selector, "aria-expanded") == "false"


def test_it_picks_people_by_searching_with_the_keyboard_only(live_server, phone, crowd):
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/referrals/new/")
    assert phone.is_hidden("select[name=receiver]")  # the script took over
    audit.check(phone)
    assert fits_the_screen(phone)

    _pick(phone, "#id_receiver-search", "espo")
    assert phone.input_value("select[name=receiver]") == str(crowd.erica.pk)
    assert phone.input_value("#id_receiver-search") == "Erica Esposito"
    audit.check(phone, "a receiver chosen")
    tab_to(phone, "input[name=what]")
    phone.keyboard.type("Arredi per un nuovo ufficio")
    _pick(phone, "#id_contact-search", "numero1", downs=2)  # Numero1, then Numero10
    assert phone.input_value("select[name=contact]") != ""
    assert phone.url.endswith("/referrals/new/")  # Enter chose, it did not send the form
    tab_to(phone, "main form button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/florence/referrals/\d+/$"))
    with scopes_disabled():
        referral = Referral.objects.get()
    assert referral.receiver == crowd.erica
    assert referral.contact is not None and referral.contact.last_name == "Numero10"
    audit.assert_clean()


def test_it_undoes_a_choice_when_the_text_changes_and_says_when_nobody_is_found(
    live_server, phone, crowd
):
    base = live_server.url
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/introductions/new/")
    _pick(phone, "#id_first-search", "bell")
    assert phone.input_value("select[name=first]") == str(crowd.bob.pk)
    phone.keyboard.press("Backspace")
    assert phone.input_value("select[name=first]") == ""  # typing again undoes the choice
    phone.keyboard.press("Control+A")
    phone.keyboard.type("numero")  # members, but not Alice's connections
    # The sentences are the form's, in the page's language: read them from the select.
    none = phone.get_attribute("select[name=first]", "data-none")
    phone.wait_for_function(
        "(none) => document.querySelector('#id_first-search-status').textContent === none", arg=none
    )
    assert phone.is_hidden("#id_first-search-results")
    phone.keyboard.press("Control+A")
    phone.keyboard.type("e")
    hint = phone.get_attribute("select[name=first]", "data-hint")
    assert phone.text_content("#id_first-search-status") == hint


def test_it_falls_back_to_the_list_when_the_search_fails(live_server, phone, crowd):
    base = live_server.url
    log_in(phone, base, "alice@example.com")
    phone.route("**/people/search/**", lambda route: route.fulfill(status=500, body="boom"))
    phone.goto(f"{base}/florence/one-to-ones/new/")
    tab_to(phone, "#id_other-search")
    phone.keyboard.type("espo")
    phone.wait_for_selector("select[name=other]", state="visible")
    assert phone.is_hidden("#id_other-search")
    phone.select_option("select[name=other]", str(crowd.erica.pk))
    assert phone.get_attribute("label[for=id_other]", "for") == "id_other"


def test_it_works_without_javascript(live_server, browser, crowd):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="it-IT", java_script_enabled=False
    )
    page = context.new_page()
    base = live_server.url
    log_in(page, base, "alice@example.com")
    page.goto(f"{base}/florence/referrals/new/")
    assert page.is_visible("select[name=receiver]")
    page.select_option("select[name=receiver]", str(crowd.erica.pk))
    page.fill("input[name=what]", "Arredi")
    page.fill("input[name=for_whom]", "Rossi Srl")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/florence/referrals/\d+/$"))
    context.close()
    with scopes_disabled():
        assert Referral.objects.get().receiver == crowd.erica


def test_it_fits_the_new_pages_on_a_phone(live_server, phone, crowd):
    with scopes_disabled():
        introduction_make(
            network=crowd.florence, introducer=crowd.alice, first=crowd.bob, second=crowd.erica,
            note="Dovreste conoscervi: entrambi lavorate con l'export verso il Giappone.",
        )  # fmt: skip
        Membership.objects.update(joined_on=timezone.localdate() - timedelta(days=60))
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    for path in (
        "/me/",
        "/me/introductions/",
        "/florence/manage/unconnected/",
        "/florence/manage/",
    ):
        phone.goto(base + path)
        audit.check(phone)
        assert fits_the_screen(phone), path
    assert "in attesa" in phone.goto(base + "/me/introductions/").text().lower()
    audit.assert_clean()
