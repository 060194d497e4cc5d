"""In a real browser: a weak tie becomes recorded business, and the network's figures show it.

Bob posts an ask on his phone; Carla answers it; Bob closes it naming her answer, which connects
them; Bob introduces Carla to Dario, whom he knows, and both accept from the links in their
emails; Dario passes business to Carla, who moves it to won; after the figures' refresh, Alice,
the coordinator, reads the win, its value and the accepted introduction on her network's figures.
Every link followed comes from an email in the outbox.
"""

import re
from urllib.parse import urlsplit

import pytest
from django_scopes import scopes_disabled

from clubin.stats.tasks import stats_refresh_recent
from members.services.profiles import profile_update
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, fits_the_screen, log_in
from tests.members.factories import member
from ties.models import Connection, Origin
from ties.services.connections import connection_make

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(personas):
    """Carla and Dario join FlorenceIN; Bob already knows Dario from a one-to-one."""
    for key, (email, first, last, company, card) in {
        "carla": ("carla@example.com", "Carla", "Conti", "Conti Arredi", 3),
        "dario": ("dario@example.com", "Dario", "Danti", "Studio Danti", 4),
    }.items():
        person = make_user(email, first_name=first, last_name=last)
        member(personas.florence, person, card=card)
        profile_update(user=person, company=company, show_email=True)
        setattr(personas, key, person)
    connection_make(user_a=personas.bob, user_b=personas.dario, origin=Origin.ONE_TO_ONE)
    return personas


def _link(to: str, path: str) -> str:
    """The path of the newest email to ``to`` that links to ``path``."""
    for message in OutboxEmail.objects.filter(to=to).order_by("-id"):
        found = re.search(rf"https?://\S+({path})", message.body_text)
        if found:
            return urlsplit(found.group(0)).path
    raise AssertionError(f"no email to {to} links to {path}")


def _as(browser, base: str, email: str):
    context, page = desktop(browser)
    log_in(page, base, email)
    return context, page


def _pick(page, name: str, typed: str) -> None:
    """Choose a person in a picker: the search box the script puts in front of the select."""
    box = f"#id_{name}-search"
    page.fill(box, typed)
    page.wait_for_selector(f"{box} ~ [role=listbox] [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value(f"select[name={name}]") != ""


def _submit(page, action: str = "") -> None:
    """Send the form posting to ``action``, or the page's own form (which posts to itself)."""
    form = f"main form[action$='{action}']" if action else "main form[method=post]:not([action])"
    with page.expect_navigation():  # a POST, then the redirect's page
        page.locator(f"{form} button[type=submit]").first.click()


def test_it_turns_an_ask_into_business_that_the_figures_show(live_server, browser, phone, people):
    base = live_server.url
    audit = Audit()

    # 1. Bob asks, on his phone.
    log_in(phone, base, "bob@example.com")
    phone.goto(f"{base}/florence/board/new/")
    phone.fill("input[name=title]", "Un notaio a Padova che conosce le start-up")
    phone.fill("input[name=city]", "Padova")
    assert fits_the_screen(phone)
    audit.check(phone, "new ask")
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url(re.compile(r"/florence/board/\d+/$"))
    post_path = urlsplit(phone.url).path

    # 2. Carla answers from the board.
    carla_context, carla = _as(browser, base, "carla@example.com")
    carla.goto(f"{base}/florence/board/")
    carla.click("text=Un notaio a Padova")
    carla.wait_for_url(re.compile(post_path + "$"))
    carla.check("input[name=kind][value=help]")
    carla.fill("textarea[name=note]", "Conosco bene lo studio Ferri.")
    audit.check(carla, "answering")
    _submit(carla, "/answer/")

    # 3. Bob follows the email, sees the answer and closes the ask naming it: they connect.
    phone.goto(base + _link("bob@example.com", post_path))
    assert phone.get_by_text("Conosco bene lo studio Ferri.").is_visible()
    audit.check(phone, "answers")
    phone.select_option("select[name=helpful_answer]", label="Carla Conti")
    _submit(phone, "/close/")
    with scopes_disabled():
        assert Connection.objects.filter(origin=Origin.ASK).count() == 1

    # 4. Bob introduces Carla to Dario; both accept from their emails.
    phone.goto(f"{base}/florence/introductions/new/")
    _pick(phone, "first", "carl")
    _pick(phone, "second", "dari")
    phone.fill("textarea[name=note]", "Carla arreda uffici, Dario ne apre uno nuovo.")
    assert fits_the_screen(phone)
    audit.check(phone, "new introduction")
    _submit(phone)
    for context, page, email in (
        (carla_context, carla, "carla@example.com"),
        (*_as(browser, base, "dario@example.com"), "dario@example.com"),
    ):
        page.goto(base + _link(email, r"/me/introductions/\d+/"))
        assert page.get_by_text("Carla arreda uffici").is_visible()
        audit.check(page, "introduced")
        _submit(page, "/accept/")
        if page is not carla:
            dario_context, dario = context, page
    accepted = OutboxEmail.objects.filter(template="ties-introduction-accepted")
    assert sorted(accepted.values_list("to", flat=True)) == [
        "carla@example.com", "dario@example.com"
    ]  # fmt: skip
    assert "dario@example.com" in accepted.get(to="carla@example.com").body_text

    # 5. Dario passes business to Carla, who moves it to won.
    dario.goto(f"{base}/florence/referrals/new/")
    _pick(dario, "receiver", "conti")
    dario.fill("input[name=what]", "Arredi per il nuovo studio")
    dario.fill("input[name=for_whom]", "Studio Danti, sede di Prato")
    dario.fill("input[name=estimated_value]", "5000")
    audit.check(dario, "new referral")
    _submit(dario)
    carla.goto(base + _link("carla@example.com", r"/florence/referrals/\d+/"))
    for status in ("contacted", "meeting"):
        carla.select_option("select[name=status]", status)
        _submit(carla, "/move/")
    carla.select_option("select[name=status]", "won")
    carla.fill("input[name=won_value]", "4800")
    audit.check(carla, "referral")
    _submit(carla, "/move/")
    thanks = OutboxEmail.objects.get(template="ties-referral-won", to="dario@example.com")
    assert "Carla Conti" in thanks.body_text

    # 6. Beat's refresh; Alice reads her network's figures.
    stats_refresh_recent()
    alice_context, alice = _as(browser, base, "alice@example.com")
    alice.goto(f"{base}/florence/manage/stats/")
    alice.click("details.full-table > summary")  # the full tables are on demand
    row = alice.locator("#ties-table tbody tr").first
    figures = {
        name: row.locator(f"[data-figure={name}]").inner_text().strip()
        for name in (
            "asks_posted", "asks_answered_share", "introductions_made", "introductions_accepted",
            "referrals_passed", "referrals_won", "referral_value_won",
        )
    }  # fmt: skip
    assert figures == {
        "asks_posted": "1", "asks_answered_share": "100%", "introductions_made": "1",
        "introductions_accepted": "1", "referrals_passed": "1", "referrals_won": "1",
        "referral_value_won": "4.800 €",
    }  # fmt: skip
    audit.check(alice, "figures")
    for context in (carla_context, dario_context, alice_context):
        context.close()
    audit.assert_clean()
