"""In a real browser: a coordinator invites people from a CSV file with some bad rows, reads the
per-row report, confirms, and watches the progress bar finish (htmx polling); an invitee follows
the personal link from their email, signs up with the invited address (no verification step:
the link proved the mailbox), and finds the application form filled in with the name the
coordinator gave."""

import re

import pytest
from django_scopes import scopes_disabled

from members.models import Invitation, InvitationBatch
from outbox import services as mail_services
from outbox.models import OutboxEmail
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import (
    Audit,
    desktop,
    fits_the_screen,
    log_in,
    mark_page,
    same_page,
    screenshot,
)

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

CSV = (
    "email;nome;messaggio\n"
    "giulia.neri@example.com;Giulia Neri;Ti aspettiamo al prossimo aperitivo!\n"
    "non-un-indirizzo;Riga Sbagliata;\n"
    "Giulia.Neri@Example.com;Giulia di nuovo;\n"
    "bob@example.com;Bob Bellini;\n"
    "niccolo.verdi@example.com;Niccolò Verdi;\n"
).encode()


@pytest.fixture
def late_worker(monkeypatch):
    """Emails wait for the test to deliver them, as if the worker were a little behind."""
    held: list[int] = []

    def hold(*, email_ids: list[int], countdown: float = 0.0) -> bool:
        held.extend(email_ids)
        return True

    monkeypatch.setattr(mail_services, "outbox_dispatch", hold)
    return held


def _invite_link(mailoutbox, to: str) -> str:
    [message] = [m for m in mailoutbox if m.to == [to]]
    link = re.search(r"https?://\S+(/invite/[\w-]+/)", message.body)
    assert link, message.body
    return link.group(1)


def test_it_invites_from_a_file_and_the_invitee_applies(
    live_server, browser, phone, personas, mailoutbox, late_worker, settings
):
    settings.OUTBOX_SCRUB_SECRETS = False  # the test reads the verification link once it is sent
    base = live_server.url
    audit = Audit()
    wide, desk = desktop(browser)
    log_in(desk, base, "alice@example.com")
    desk.goto(f"{base}/florence/manage/invitations/")
    assert desk.locator("h1", has_text="Inviti a FlorenceIN").is_visible()
    audit.check(desk)

    desk.set_input_files(
        "input[name=file]",
        files=[{"name": "soci-2027.csv", "mimeType": "text/csv", "buffer": CSV}],
    )
    desk.locator("form[action$='/manage/invitations/upload/'] button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/manage/invitations/batches/\d+/$"))

    # The report, row by row, before anything is sent.
    assert desk.get_by_text("Verranno invitate 2 persone.").is_visible()
    report = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in desk.locator("table tbody tr").all()
    ]
    assert report == [
        ["3", "non-un-indirizzo", "indirizzo email non valido"],
        ["4", "giulia.neri@example.com", "già presente più sopra nel file"],
        ["5", "bob@example.com", "già socio"],
    ]
    assert OutboxEmail.objects.filter(template="invitation").count() == 0
    audit.check(desk, "report")
    screenshot(desk, "invitation-preview.png")

    desk.get_by_role("button", name="Conferma e invia").click()
    desk.wait_for_selector("#batch-progress[hx-get]")  # queued: the page polls
    assert desk.get_by_text("Inviti elaborati: 0 su 2.").is_visible()
    audit.check(desk, "sending")
    mark_page(desk)

    # The worker catches up; the next poll shows the batch done and stops polling.
    assert len(late_worker) == 2
    assert mail_services.outbox_deliver(email_ids=late_worker) == 2
    desk.wait_for_selector("#batch-progress:not([hx-get])", timeout=10_000)
    assert same_page(desk), "the progress bar reloaded the page instead of polling"
    progress = desk.locator("#batch-progress")
    assert progress.get_by_text("Inviti elaborati: 2 su 2.").is_visible()
    assert progress.locator("li").all_inner_texts() == ["Inviato: 2"]
    assert desk.evaluate("document.querySelector('#batch-progress progress').value") == 2
    audit.check(desk, "sent")
    screenshot(desk, "invitation-progress.png")
    wide.close()

    with scopes_disabled():
        batch = InvitationBatch.objects.get()
        invited = sorted(Invitation.objects.filter(batch=batch).values_list("email", "name"))
    assert batch.status == InvitationBatch.Status.CONFIRMED
    assert invited == [
        ("giulia.neri@example.com", "Giulia Neri"),
        ("niccolo.verdi@example.com", "Niccolò Verdi"),
    ]

    # The invitee, on her phone, opens the link from her email and signs up.
    invite = _invite_link(mailoutbox, "giulia.neri@example.com")
    phone.goto(base + invite)
    assert phone.locator("h1", has_text="Invito a FlorenceIN").is_visible()
    assert phone.get_by_text("Ti aspettiamo al prossimo aperitivo!").is_visible()
    assert fits_the_screen(phone)
    audit.check(phone)
    screenshot(phone, "invitation-landing-phone.png")
    phone.locator("main a[href^='/accounts/signup/']").click()
    phone.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    # The invited address is offered, and the link she followed already proved it is hers.
    assert phone.input_value("input[name=email]") == "giulia.neri@example.com"
    assert fits_the_screen(phone)
    audit.check(phone, "invited signup")
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.locator("main form button[type=submit]").first.click()

    # No verification step: she is signed in, back on the invitation, which she accepts.
    phone.wait_for_url(re.compile(re.escape(invite) + "$"))
    assert not OutboxEmail.objects.filter(
        to="giulia.neri@example.com", template__startswith="account/"
    ).exists()
    assert fits_the_screen(phone)
    audit.check(phone, "signed in")
    phone.get_by_role("button", name="Accetta e candidati").click()
    phone.wait_for_url(re.compile(r"/florence/apply/\?invitation=\d+$"))
    assert phone.input_value("input[name=first_name]") == "Giulia"
    assert phone.input_value("input[name=last_name]") == "Neri"
    assert fits_the_screen(phone)
    audit.check(phone, "invited")
    screenshot(phone, "invitation-apply-phone.png")

    audit.assert_clean()
