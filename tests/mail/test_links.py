"""Every link in every email starts with SITE_URL, whatever host and protocol served the click.

The flows below make the system write each of its emails once (account mail included); each is
then delivered through the outbox, and every http(s) address in what leaves (text, HTML,
List-Unsubscribe, calendar attachment) is checked against SITE_URL.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from events.models import Event
from events.services.events import event_announce, event_cancel, event_reminders_send
from events.services.registrations import registration_register, registration_register_guest
from members.services.applications import application_decide, application_submit
from members.services.digests import applications_digest_send, applications_reminder_send
from members.services.invitations import Invitee, invitation_reminders_send, invitation_send
from members.services.profiles import profile_update
from members.services.renewals import renewal_reminders_send
from networks.models import Membership
from networks.services import coordinator_appoint, coordinators_contact
from outbox.models import OutboxEmail
from outbox.services import outbox_deliver
from tests.conftest import PASSWORD, make_user
from tests.events.factories import make_event
from tests.members.factories import applicant
from ties.models import Origin
from ties.services.board import answer_create, post_create
from ties.services.connections import connection_make
from ties.services.introductions import introduction_make, introduction_reply
from ties.services.meetings import one_to_one_record
from ties.services.referrals import referral_create, referral_move

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8123"
LINK = re.compile(r"https?://[^\s\"'<>]+")
EMAIL_TEMPLATES = Path(settings.BASE_DIR, "templates", "emails")
ACCOUNT_TEMPLATES = {
    "account/email_confirmation_signup",
    "account/account_already_exists",
    "account/password_reset_key",
    "account/unknown_account",
}


@pytest.fixture
def production(settings):
    """DEBUG off, as on `make serve`: SITE_URL is plain http on a port of its own, while the
    requests arrive as http://testserver and allauth's protocol setting says https."""
    settings.DEBUG = False
    settings.SITE_URL = SITE
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _account_mail(client, personas) -> None:
    signup = {"password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), {"email": "nuova@example.com", **signup})
    client.post(reverse("account_signup"), {"email": personas.bob.email, **signup})
    client.post(reverse("account_reset_password"), {"email": personas.bob.email})
    client.post(reverse("account_reset_password"), {"email": "nessuno@example.com"})


def _membership_mail(personas) -> None:
    florence = personas.florence
    with scope(network=personas.veneto):
        coordinator_appoint(
            network=personas.veneto, user=personas.dave, appointed_by=personas.fiona
        )
    with scope(network=florence):
        coordinators_contact(
            network=florence, name="Giulia", email="giulia@example.com", message="Quando?"
        )
        applications = [
            application_submit(
                network=florence, user=applicant(n), motivation="Per la rete.", answers={},
                profile={},
            )[0]
            for n in range(3)
        ]  # fmt: skip
        for application, action in zip(
            applications, ["approved", "waitlisted", "rejected"], strict=True
        ):
            application_decide(
                network=florence, application_id=application.pk, action=action,
                decided_by=personas.alice,
            )  # fmt: skip
        # Approved when the network is full: the applicant waits for a place.
        waiting = application_submit(
            network=florence, user=applicant(4), motivation="Quando c'è posto.", answers={},
            profile={},
        )[0]  # fmt: skip
        florence.membership_cap = Membership.objects.filter(network=florence).count()
        florence.save()
        application_decide(
            network=florence, application_id=waiting.pk, action="approved",
            decided_by=personas.alice,
        )  # fmt: skip
        florence.membership_cap = None
        florence.save()
        Membership.objects.filter(network=florence, user=personas.alice).update(
            application_alerts=Membership.Alerts.DAILY
        )
        application_submit(
            network=florence, user=applicant(9), motivation="Anch'io.", answers={}, profile={}
        )
        invitation_send(
            network=florence, inviter=personas.alice, invitee=Invitee(email="invitee@example.com"),
            by_coordinator=True,
        )  # fmt: skip
    applications_digest_send()
    applications_reminder_send(now=timezone.now() + timedelta(days=8))
    with scope(network=florence):
        card = Membership.objects.get(network=florence, user=applications[0].user)
    assert card.valid_until is not None
    renewal_reminders_send(today=card.valid_until - timedelta(days=10))


def _event_mail(personas) -> None:
    florence = personas.florence
    profile_update(user=personas.bob, event_news=True)
    event = make_event(florence, by=personas.alice, capacity=1, visibility=Event.Visibility.PUBLIC)
    with scope(network=florence):
        registration_register(event=event, user=personas.bob)
        registration_register(event=event, user=personas.alice)  # full: waitlisted
        registration_register_guest(event=event, name="Ospite", email="ospite@example.com",
                                    company="")  # fmt: skip
        event_announce(event=event)
        event_reminders_send(network=florence, now=event.starts_at - timedelta(hours=12))
        event_cancel(event=event)


def _ties_mail(personas) -> None:
    with scope(network=personas.florence):
        post = post_create(
            network=personas.florence, author=personas.alice, kind="ask", reach="network",
            title="Un notaio a Padova", body="", sector="", city="",
            expires_on=timezone.localdate() + timedelta(days=5),
        )  # fmt: skip
        answer_create(post=post, author=personas.bob, via=personas.florence, kind="help", note="")
        referral = referral_create(
            network=personas.florence, giver=personas.alice, receiver_id=personas.bob.pk,
            what="Uffici nuovi", for_whom="Rossi",
        )  # fmt: skip
        referral_move(referral=referral, user=personas.bob, status="won", won_value=Decimal(10))
    _meeting_mail(personas)


def _meeting_mail(personas) -> None:
    """An introduction both accept, and a one-to-one to confirm."""
    erica = make_user("erica@example.com", first_name="Erica")
    with scope(network=personas.florence):
        Membership.objects.create(network=personas.florence, user=erica)
        for person in (personas.bob, erica):
            connection_make(user_a=personas.alice, user_b=person, origin=Origin.ASK)
        introduction = introduction_make(
            network=personas.florence, introducer=personas.alice, first=personas.bob,
            second=erica, note="",
        )  # fmt: skip
        for person in (personas.bob, erica):
            introduction_reply(introduction_id=introduction.pk, user=person, accept=True)
        one_to_one_record(
            network=personas.florence, recorded_by=personas.alice, other=erica,
            met_on=timezone.localdate(), note="",
        )  # fmt: skip


def _deliver_all() -> None:
    # A minute on: decisions that could be undone hold their emails back until then.
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbox_deliver(email_ids=list(OutboxEmail.objects.values_list("id", flat=True)))


def _links(message) -> list[str]:
    texts = [message.body, message.extra_headers.get("List-Unsubscribe", "")]
    texts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    for attachment in message.attachments:
        if attachment.mimetype == "text/calendar":  # folded lines: unfold before reading
            content = attachment.content
            text = content.decode() if isinstance(content, bytes) else content
            texts.append(text.replace("\r\n ", "").replace("\n ", ""))
    return [link for text in texts for link in LINK.findall(str(text))]


def test_it_builds_every_link_in_every_email_from_site_url(client, personas, production):
    _account_mail(client, personas)
    _membership_mail(personas)
    _event_mail(personas)
    _ties_mail(personas)
    _deliver_all()
    with scope(network=personas.florence):  # reminders go to invitations that were sent
        invitation_reminders_send(network=personas.florence, now=timezone.now() + timedelta(8))
    _deliver_all()

    written = set(OutboxEmail.objects.values_list("template", flat=True))
    every = {p.name.removesuffix("-subject.txt") for p in EMAIL_TEMPLATES.glob("*-subject.txt")}
    assert every | ACCOUNT_TEMPLATES <= written  # the flows above cover every email
    assert len(mail.outbox) == OutboxEmail.objects.count()
    links = {(m.to[0], link) for m in mail.outbox for link in _links(m)}
    assert len(links) > 20
    assert [(to, link) for to, link in links if not link.startswith(f"{SITE}/")] == []
