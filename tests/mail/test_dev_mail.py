"""The development outbox (/dev/mail/) shows a fan-out's messages as they leave: subject,
personal links and opt-out link, like every other message."""

import re

import pytest
from django_scopes import scope

from events.models import Event
from events.services.events import event_announce
from members.services.invitations import Invitee, invitation_send
from members.services.profiles import profile_update
from networks.services import coordinators_contact
from outbox.models import OutboxEmail
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
HREF_HASH = re.compile(r"""(href=["']#["']|\(#\)|\s#\s)""")


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.OUTBOX_MERGE_STRICT = True


def _fanouts(personas) -> list[OutboxEmail]:
    """An invitation and an event announcement: both rendered by the worker, not on queueing."""
    profile_update(user=personas.bob, event_news=True)
    event = make_event(personas.florence, title="Aperitivo d'autunno")
    with scope(network=personas.florence):
        invitation_send(
            network=personas.florence,
            inviter=personas.alice,
            invitee=Invitee("anna@example.com", "Anna Rossi", "Vieni!"),
            by_coordinator=True,
        )
        event_announce(event=event)
    rows = list(OutboxEmail.objects.filter(template__in=["invitation", "event-announcement"]))
    # Still waiting for the worker: no subject and no body stored yet.
    assert len(rows) == 2 and all(r.subject == "" and r.body_text == "" for r in rows)
    return rows


def test_it_lists_a_fanouts_messages_with_their_subjects(client, personas, debug):
    rows = _fanouts(personas)
    body = client.get("/dev/mail/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Aperitivo d&#x27;autunno</a>" in body  # the announcement's subject, escaped once
    assert "FlorenceIN" in body  # the invitation's subject names the network
    for row in rows:
        assert f'href="/dev/mail/{row.pk}/"' in body
    assert "(no subject)" not in body


def test_it_shows_a_fanouts_message_with_its_real_links(client, personas, debug, settings):
    for row in _fanouts(personas):
        response = client.get(f"/dev/mail/{row.pk}/")
        assert response.status_code == 200
        body = response.content.decode()
        assert response.context["subject"]
        assert f"{settings.SITE_URL}/unsubscribe/" in body  # the recipient's own opt-out link
        assert not HREF_HASH.search(response.context["body"]), row.template
    invitation = OutboxEmail.objects.get(template="invitation")
    body = client.get(f"/dev/mail/{invitation.pk}/").content.decode()
    assert f"{settings.SITE_URL}/invite/" in body and "Anna Rossi" in body


def test_it_shows_whom_a_reply_goes_to(client, personas, debug):
    with scope(network=personas.florence):
        coordinators_contact(
            network=personas.florence, name="Giulia", email="giulia@example.com", message="Ciao!"
        )
    email = OutboxEmail.objects.get(template="network-contact")
    body = client.get(f"/dev/mail/{email.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reply to: giulia@example.com" in body


def test_it_keeps_the_list_flat_however_many_fanout_messages(
    client, personas, debug, django_assert_max_num_queries
):
    _fanouts(personas)
    profile_update(user=personas.alice, event_news=True)
    event = make_event(
        personas.florence, title="Seconda serata", visibility=Event.Visibility.NETWORK
    )
    with scope(network=personas.florence):
        event_announce(event=event)
    with django_assert_max_num_queries(2):  # the session (none here) and the outbox rows
        assert client.get("/dev/mail/").status_code == 200


def test_it_hides_the_development_outbox_without_debug(client, personas, settings):
    [row, *_] = _fanouts(personas)
    settings.DEBUG = False
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{row.pk}/").status_code == 404


def test_it_writes_subjects_as_plain_text(personas):
    """Subject templates are escaped like any other; the subject is not HTML."""
    with scope(network=personas.florence):
        coordinators_contact(
            network=personas.florence, name="Marco D'Angelo & Figli", email="m@example.com",
            message="Una domanda <sulla> prossima serata.",
        )  # fmt: skip
    email = OutboxEmail.objects.get(template="network-contact")
    assert "Marco D'Angelo & Figli" in email.subject
    assert "&#x27;" not in email.subject and "&amp;" not in email.subject
    assert "Una domanda &lt;sulla&gt; prossima serata." in email.body_html  # HTML stays escaped
    assert "Una domanda <sulla> prossima serata." in email.body_text
