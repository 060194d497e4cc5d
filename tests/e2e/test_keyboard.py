"""In a real browser, with no mouse: an aspiring member fills in and sends the application form,
and a coordinator approves an application in the queue, with Tab, typing, Space and Enter."""

import re

import pytest
from django_scopes import scope, scopes_disabled

from members.models import ApplicationQuestion, MembershipApplication
from networks.models import Membership
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, log_in, mark_page, same_page, tab_to
from tests.members.factories import applicant, application

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")  # a prefilled field is replaced, not appended to
    page.keyboard.type(text)


def test_it_applies_with_the_keyboard_only(live_server, phone, personas):
    with scope(network=personas.florence):
        question = ApplicationQuestion.objects.create(
            network=personas.florence, label="Hai già partecipato a un nostro evento?",
            kind=ApplicationQuestion.Kind.YES_NO,
        )  # fmt: skip
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "dave@example.com")
    phone.goto(f"{base}/florence/apply/")
    audit.check(phone)

    _type_into(phone, "input[name=first_name]", "Davide")
    _type_into(phone, "input[name=last_name]", "Donati")
    _type_into(phone, "input[name=company]", "Donati Logistica")
    _type_into(phone, "input[name=job_title]", "Amministratore")
    tab_to(phone, "select[name=sector]")
    phone.keyboard.type("Logistica")  # type-ahead picks the option, the list stays closed
    _type_into(phone, "input[name=city]", "Empoli")
    _type_into(phone, "textarea[name=motivation]", "Trovare partner\nper la logistica")
    tab_to(phone, f"select[name=q_{question.pk}]")
    phone.keyboard.type("S")  # Sì
    tab_to(phone, "input[name=privacy]")
    phone.keyboard.press("Space")
    assert phone.input_value("select[name=sector]") == "logistics"
    assert phone.input_value(f"select[name=q_{question.pk}]") == "yes"
    assert phone.is_checked("input[name=privacy]")
    tab_to(phone, "main form button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/me/$"))
    audit.check(phone, "application sent")

    with scopes_disabled():
        sent = MembershipApplication.objects.select_related("user__profile").get(user=personas.dave)
    assert sent.network == personas.florence
    # Browsers send a textarea's line breaks as CRLF.
    assert sent.motivation.replace("\r\n", "\n") == "Trovare partner\nper la logistica"
    assert [a["value"] for a in sent.answers.values()] == ["yes"]
    assert (sent.user.first_name, sent.user.profile.company, sent.user.profile.sector) == (
        "Davide",
        "Donati Logistica",
        "logistics",
    )
    audit.assert_clean()


def test_it_approves_in_the_queue_with_the_keyboard_only(live_server, browser, personas):
    waiting = application(personas.florence, applicant(1, company="Neri Tessuti"))
    base = live_server.url
    audit = Audit()
    context, desk = desktop(browser)
    log_in(desk, base, "alice@example.com")
    desk.goto(f"{base}/florence/manage/applications/")
    audit.check(desk)
    mark_page(desk)

    tab_to(desk, f"#application-{waiting.pk} button[value=approved]", limit=120)
    desk.keyboard.press("Enter")
    desk.wait_for_selector(f"#application-{waiting.pk}[role=status]")
    assert same_page(desk), "approving reloaded the page"
    audit.check(desk, "after approving")
    context.close()

    with scopes_disabled():
        waiting.refresh_from_db()
        assert waiting.status == MembershipApplication.Status.APPROVED
        assert Membership.objects.filter(user=waiting.user, network=personas.florence).exists()
    audit.assert_clean()
