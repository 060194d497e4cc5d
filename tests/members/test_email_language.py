"""Each email in its recipient's language, never in the language of whoever clicked.

A person with an account reads their own choice (stored at signup and on each language switch),
someone without one reads the network's language, and dates are written that language's way.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_scopes import scope

from events.services.events import event_announce, event_cancel
from events.services.registrations import (
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from members.models import User
from members.services.applications import application_submit
from members.services.invitations import Invitee, invitation_send
from members.services.profiles import profile_update
from members.services.renewals import renewal_reminders_send
from networks.models import Membership
from outbox.models import OutboxEmail
from outbox.services import outbox_deliver
from tests.conftest import PASSWORD
from tests.events.factories import make_event, rome
from tests.members.factories import applicant, application, member

pytestmark = pytest.mark.django_db


def speaks(user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def works_in(client, user: User, language: str) -> None:
    """The person at the keyboard, with the site in ``language``."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def _decide(client, app, action: str = "approved"):
    url = reverse(
        "manage_application_decide", kwargs={"network_slug": "florence", "application_id": app.pk}
    )
    return client.post(url, {"action": action})


def _card_year(personas, user: User) -> int:
    with scope(network=personas.florence):
        valid_until = Membership.objects.get(network=personas.florence, user=user).valid_until
    assert valid_until is not None
    return valid_until.year


def _delivered() -> dict[str, mail.EmailMessage]:
    """Deliver the whole outbox (invitations are rendered by the worker) and index by address."""
    mail.outbox = []
    outbox_deliver(email_ids=list(OutboxEmail.objects.values_list("id", flat=True)))
    return {message.to[0]: message for message in mail.outbox}


@pytest.fixture(autouse=True)
def _memory_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- Decisions and receipts ------------------------------------------------------------------
def test_it_writes_an_italian_coordinators_decision_in_the_applicants_english(client, personas):
    app = application(personas.florence, speaks(applicant(1), "en"))
    works_in(client, speaks(personas.alice, "it"), "it")
    assert _decide(client, app).status_code == 302

    email = OutboxEmail.objects.get(template="application-approved")
    assert (email.language, email.subject) == ("en", "Welcome to FlorenceIN")
    year = _card_year(personas, app.user)
    assert f"valid until December 31, {year}." in email.body_text  # English writes dates so


def test_it_writes_an_english_coordinators_decision_in_the_members_italian(client, personas):
    app = application(personas.florence, speaks(applicant(2), "it"))
    works_in(client, speaks(personas.alice, "en"), "en")
    _decide(client, app)

    email = OutboxEmail.objects.get(template="application-approved")
    assert (email.language, email.subject) == ("it", "Ti diamo il benvenuto in FlorenceIN")
    assert f"fino al 31 dicembre {_card_year(personas, app.user)}." in email.body_text


def test_it_falls_back_to_the_networks_language_for_an_account_without_a_choice(client, personas):
    personas.florence.language = "en"
    personas.florence.save(update_fields=["language"])
    app = application(personas.florence, speaks(applicant(3), ""))
    works_in(client, personas.alice, "it")
    _decide(client, app, "rejected")

    email = OutboxEmail.objects.get(template="application-rejected")
    assert email.language == "en"


def test_it_sends_the_applicant_and_each_coordinator_their_own_language(personas):
    speaks(personas.alice, "en")  # the coordinator hears of the application in English
    user = speaks(applicant(4), "it")
    # ...whatever the language of the page the applicant used
    with scope(network=personas.florence), translation.override("en"):
        application_submit(
            network=personas.florence, user=user, motivation="Per la rete.", answers={},
            profile={},
        )  # fmt: skip
    received = OutboxEmail.objects.get(template="application-received")
    new = OutboxEmail.objects.get(template="application-new")
    assert (received.language, received.subject) == ("it", "La tua candidatura a FlorenceIN")
    assert (new.to, new.language) == (personas.alice.email, "en")


# --- People without an account ---------------------------------------------------------------
def test_it_invites_in_the_networks_language_with_its_dates(personas):
    personas.florence.language = "en"
    personas.florence.save(update_fields=["language"])
    with translation.override("it"), scope(network=personas.florence):  # Alice clicks in Italian
        invitation = invitation_send(
            network=personas.florence, inviter=personas.alice,
            invitee=Invitee(email="invitee@example.com"), by_coordinator=True,
        )  # fmt: skip

    message = _delivered()["invitee@example.com"]
    assert message.subject == "Alice Arnolfi invites you to FlorenceIN"
    expires = timezone.localdate(invitation.expires_at)
    with translation.override("en"):
        written = formats.date_format(expires, "F j, Y")
    assert f"until {written})" in message.body
    assert expires.isoformat() not in message.body


# --- Events ----------------------------------------------------------------------------------
def test_it_tells_each_registered_person_of_a_cancellation_in_their_language(personas):
    personas.florence.language = "en"
    personas.florence.save(update_fields=["language"])
    speaks(personas.bob, "it")
    event = make_event(
        personas.florence, by=personas.alice, visibility="public",
        starts_at=rome(2027, 3, 12, 19), ends_at=rome(2027, 3, 12, 22),
    )  # fmt: skip
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
        guest = registration_register_guest(
            event=event, name="Ospite", email="ospite@example.com", company=""
        )
        assert guest is not None
        registration_confirm_guest(event=event, registration_id=guest.pk)
        with translation.override("it"):  # the coordinator's click
            event_cancel(event=event)

    bob = OutboxEmail.objects.get(template="event-cancelled", to=personas.bob.email)
    guest_email = OutboxEmail.objects.get(template="event-cancelled", to="ospite@example.com")
    assert bob.subject.startswith("Annullato:")
    assert "Quando: 12 marzo 2027, 19:00-22:00" in bob.body_text
    assert guest_email.subject.startswith("Cancelled:")
    assert "When: March 12, 2027, 7 p.m.-10 p.m." in guest_email.body_text


def test_it_announces_to_each_member_in_their_language(personas):
    english = member(personas.florence, speaks(applicant(5), "en"), card=20).user
    for user in (speaks(personas.bob, "it"), english):
        profile_update(user=user, event_news=True)
    event = make_event(
        personas.florence, by=personas.alice, starts_at=rome(2027, 3, 12, 19),
        ends_at=rome(2027, 3, 12, 22),
    )  # fmt: skip
    with scope(network=personas.florence), translation.override("en"):
        assert event_announce(event=event) == 2

    delivered = _delivered()
    assert "12 marzo 2027, 19:00-22:00" in delivered[personas.bob.email].body
    assert "March 12, 2027, 7 p.m.-10 p.m." in delivered[english.email].body


# --- Account mail and the stored choice ------------------------------------------------------
def test_it_keeps_a_signed_in_persons_language_switch(client, personas):
    client.force_login(personas.bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    personas.bob.refresh_from_db()
    assert personas.bob.language == "en"
    client.post(reverse("set_language"), {"language": "it", "next": "/"})
    personas.bob.refresh_from_db()
    assert personas.bob.language == "it"


def test_it_ignores_an_unknown_language_and_stores_nothing_for_visitors(client, personas):
    client.force_login(personas.bob)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    client.logout()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert User.objects.filter(language="").count() == User.objects.count()


def test_it_stores_the_signup_pages_language_and_verifies_in_it(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="new@example.com").language == "en"
    email = OutboxEmail.objects.get(to="new@example.com")
    assert email.language == "en" and "Hello from ClubIN!" in email.body_text


def test_it_writes_account_mail_in_the_accounts_language(client, personas):
    speaks(personas.bob, "en")
    client.post(reverse("account_reset_password"), {"email": personas.bob.email})  # Italian page
    email = OutboxEmail.objects.get(to=personas.bob.email)
    assert email.language == "en" and "Hello from ClubIN!" in email.body_text


def test_it_writes_account_mail_to_an_unknown_address_in_the_pages_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    email = OutboxEmail.objects.get(to="nobody@example.com")
    assert email.language == "en" and "Hello from ClubIN!" in email.body_text


def test_it_reminds_of_a_renewal_in_the_members_language(personas):
    speaks(personas.bob, "en")
    with scope(network=personas.florence):
        Membership.objects.filter(user=personas.bob).update(valid_until=timezone.localdate())
    with translation.override("it"):
        renewal_reminders_send(today=timezone.localdate() - timedelta(days=1))
    email = OutboxEmail.objects.get(template="renewal-reminder")
    assert email.language == "en" and email.to == personas.bob.email
