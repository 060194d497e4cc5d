"""Telling members about an event (with their consent), and everyone about a cancellation."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from events.models import Event, Registration
from events.services.events import event_announce, event_cancel
from events.services.registrations import (
    registration_cancel,
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from members.models import Profile, User
from members.services.profiles import profile_update
from networks.models import Network
from outbox.models import EmailOptOut, OutboxEmail
from outbox.services import optout_add, optout_exists, optout_hash, optout_hash_from_token
from tests.conftest import make_user
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
S = Registration.Status
V = Event.Visibility


def consenting(email: str, *networks, card: int = 50, **membership) -> User:
    """A person who asked for event news, member of the given networks."""
    name = email.split("@")[0].capitalize()
    user = make_user(email, first_name=name)
    profile_update(user=user, event_news=True)
    for network in networks:
        member(network, user, card=card, **membership)
    return user


def announced(template: str = "event-announcement") -> list[str]:
    return sorted(OutboxEmail.objects.filter(template=template).values_list("to", flat=True))


@pytest.fixture
def audience(personas):
    """Who is who for the announcements; only some of them asked for event news."""
    profile_update(user=personas.bob, event_news=True)  # FlorenceIN, consents
    profile_update(user=personas.charlie, event_news=True)  # VenetoIN, consents
    # Alice (FlorenceIN) never consented; Dave consents but is nobody's member.
    profile_update(user=personas.dave, event_news=True)
    lapsed = consenting("lapsed@example.com", personas.florence, status="lapsed")
    suspended = consenting("suspended@example.com", personas.florence, card=51, status="suspended")
    gone = consenting("gone@example.com", personas.florence, card=52)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    withdrew = consenting("withdrew@example.com", personas.florence, card=53)
    profile_update(user=withdrew, event_news=False)
    both = consenting("both@example.com", personas.florence, card=54)
    member(personas.veneto, both, card=54)
    return {"lapsed": lapsed, "suspended": suspended, "gone": gone, "both": both}


def test_it_records_when_consent_was_given(personas):
    before = timezone.now()
    profile_update(user=personas.bob, event_news=True)
    profile = Profile.objects.get(user=personas.bob)
    assert profile.event_news is True
    assert profile.event_news_at is not None and profile.event_news_at >= before


def test_it_announces_a_members_only_event_to_consenting_members_of_its_hosts(personas, audience):
    event = make_event(personas.florence, visibility=V.NETWORK)
    with scope(network=personas.florence):
        assert event_announce(event=event) == 2
    # Not Alice (no consent), Dave (no membership), Charlie (another network), nor the lapsed,
    # suspended, deactivated or withdrawn; "both" is a member here and gets it once.
    assert announced() == ["bob@example.com", "both@example.com"]
    rows = OutboxEmail.objects.filter(template="event-announcement")
    assert all(row.suppressible for row in rows)
    assert {row.network_id for row in rows} == {personas.florence.pk}
    bob = rows.get(to="bob@example.com")
    assert bob.context is not None
    assert bob.idempotency_key == f"event-announcement:{event.pk}:{personas.bob.pk}"
    assert bob.context["event_title"] == event.title
    assert bob.context["person_name"] == "Bob"
    with scope(network=personas.florence):
        assert Event.objects.get(pk=event.pk).announced_at is not None


def test_it_announces_a_cohosted_event_to_both_hosts_once_each(personas, audience):
    event = make_event(personas.florence, visibility=V.NETWORK, cohosts=[personas.veneto])
    with scope(network=personas.florence):
        assert event_announce(event=event) == 3
    assert announced() == ["bob@example.com", "both@example.com", "charlie@example.com"]


def test_it_announces_a_federation_event_to_every_network_once_per_person(personas, audience):
    lombardy = Network.objects.create(
        slug="lombardia", name="LombardiaIN", region="Lombardia", city="Milano", status="active"
    )
    consenting("milano@example.com", lombardy, card=1)
    event = make_event(personas.florence, visibility=V.FEDERATION)
    with scope(network=personas.florence):
        assert event_announce(event=event) == 4
    # "both" is in FlorenceIN and VenetoIN: one email, not two.
    assert announced() == [
        "bob@example.com",
        "both@example.com",
        "charlie@example.com",
        "milano@example.com",
    ]
    assert OutboxEmail.objects.filter(to="both@example.com").count() == 1


def test_it_announces_once(personas, audience):
    event = make_event(personas.florence, visibility=V.NETWORK)
    with scope(network=personas.florence):
        assert event_announce(event=event) == 2
        # Someone consenting since does not get a late copy by announcing again.
        profile_update(user=personas.alice, event_news=True)
        assert event_announce(event=event) == 0
    assert announced() == ["bob@example.com", "both@example.com"]


def test_it_announces_neither_drafts_nor_past_nor_cancelled_events(personas, audience):
    draft = make_event(personas.florence, publish=False)
    past = make_event(personas.florence, starts_at=timezone.now() - timedelta(days=1))
    cancelled = make_event(personas.florence)
    with scope(network=personas.florence):
        event_cancel(event=cancelled)
        for event in (draft, past, Event.objects.get(pk=cancelled.pk)):
            assert event_announce(event=event) == 0
        assert not Event.objects.filter(announced_at__isnull=False).exists()
    assert announced() == []


ANNOUNCE = "/florence/manage/events/{}/announce/"


def test_it_lets_the_coordinator_announce_from_the_page(client, personas, audience):
    event = make_event(personas.florence, visibility=V.NETWORK)
    url = ANNOUNCE.format(event.pk)

    client.force_login(personas.bob)  # a member, not a coordinator
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "1"}).status_code == 403
    client.force_login(personas.charlie)  # coordinates another network
    assert client.post(url, {"confirm": "1"}).status_code == 404
    assert announced() == []

    client.force_login(personas.alice)
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1] == (f"/florence/manage/events/{event.pk}/", 302)
    [told] = response.context["messages"]
    assert told.level_tag == "success" and re.search(r"\b2\b", str(told))
    assert announced() == ["bob@example.com", "both@example.com"]

    again = client.post(url, {"confirm": "1"}, follow=True)
    [note] = again.context["messages"]
    assert note.level_tag == "info"  # "already announced"
    assert len(announced()) == 2


def test_it_shows_how_many_will_receive_it_and_sends_only_once_confirmed(
    client, personas, audience
):
    event = make_event(personas.florence, visibility=V.NETWORK)
    url = ANNOUNCE.format(event.pk)
    client.force_login(personas.alice)
    manage = client.get(f"/florence/manage/events/{event.pk}/").content.decode()
    assert f'href="{url}"' in manage  # a link to the confirmation, not a button that sends

    for first in (client.get(url), client.post(url)):  # a link preview, a first click
        assert first.status_code == 200
        assert first.context["audience"] == 2
        page = first.content.decode()
        [said] = re.findall(r'id="announce-audience">(.*?)</p>', page, re.S)
        assert re.search(r"\b2\b", said)  # "2 members will receive this announcement…"
        assert 'name="confirm"' in page
    assert announced() == []
    with scope(network=personas.florence):
        assert Event.objects.get(pk=event.pk).announced_at is None

    client.post(url, {"confirm": "1"})
    assert announced() == ["bob@example.com", "both@example.com"]


def test_it_counts_only_those_it_will_reach(client, personas, audience):
    optout_add(email_hash=optout_hash(personas.bob.email))  # one click from an earlier email
    event = make_event(personas.florence, visibility=V.NETWORK)
    client.force_login(personas.alice)
    assert client.get(ANNOUNCE.format(event.pk)).context["audience"] == 1
    with scope(network=personas.florence):
        assert event_announce(event=event) == 1
    assert announced() == ["both@example.com"]


def test_it_does_not_spend_an_announcement_that_would_reach_nobody(client, personas):
    event = make_event(personas.florence, visibility=V.NETWORK)
    url = ANNOUNCE.format(event.pk)
    client.force_login(personas.alice)
    page = client.get(url)
    assert page.context["audience"] == 0
    assert 'name="confirm"' not in page.content.decode()  # nothing to confirm
    response = client.post(url, {"confirm": "1"}, follow=True)
    [told] = response.context["messages"]
    assert told.level_tag == "warning"
    with scope(network=personas.florence):
        assert event_announce(event=event) == 0
        assert Event.objects.get(pk=event.pk).announced_at is None
    manage = client.get(f"/florence/manage/events/{event.pk}/").content.decode()
    assert f'href="{url}"' in manage  # still offered

    profile_update(user=personas.bob, event_news=True)  # someone asks for news: announce now
    assert client.get(url).context["audience"] == 1
    client.post(url, {"confirm": "1"})
    assert announced() == ["bob@example.com"]
    with scope(network=personas.florence):
        assert Event.objects.get(pk=event.pk).announced_at is not None


def unsubscribe_link(message) -> str:
    header = re.sub(r"\r?\n[ \t]", " ", message["List-Unsubscribe"]).strip()  # unfold
    assert header.startswith("<") and header.endswith(">")
    return header[1:-1]


def test_it_delivers_the_announcement_with_a_way_out(
    client, personas, audience, smtp_sink, django_capture_on_commit_callbacks
):
    event = make_event(personas.florence, visibility=V.NETWORK, title="Cena di primavera")
    with django_capture_on_commit_callbacks(execute=True), scope(network=personas.florence):
        event_announce(event=event)

    assert sorted(m["To"] for m in smtp_sink.messages) == ["bob@example.com", "both@example.com"]
    [message] = smtp_sink.to("bob@example.com")
    link = unsubscribe_link(message)
    assert link.startswith(f"{settings.SITE_URL}/unsubscribe/")
    token = link.removeprefix(f"{settings.SITE_URL}/unsubscribe/").rstrip("/")
    assert optout_hash_from_token(token) == optout_hash("bob@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Cena di primavera" in message["Subject"]
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert link in body
    assert "Bob," in body  # the greeting is personal (the merge filled in the name)
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert link in html.get_payload(decode=True).decode()
    # Each person gets their own link, not someone else's.
    [other] = smtp_sink.to("both@example.com")
    other_token = unsubscribe_link(other).rstrip("/").rsplit("/", 1)[1]
    assert optout_hash_from_token(other_token) == optout_hash("both@example.com")
    assert link not in other.as_string()
    # The link works: one click and the address is on the opt-out list.
    assert client.post(link.removeprefix(settings.SITE_URL)).status_code in (200, 302)
    assert EmailOptOut.objects.filter(email_hash=optout_hash("bob@example.com")).exists()
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_it_drops_a_queued_announcement_to_an_address_that_opted_out(
    personas, audience, smtp_sink, django_capture_on_commit_callbacks
):
    event = make_event(personas.florence, visibility=V.NETWORK)
    with django_capture_on_commit_callbacks() as callbacks, scope(network=personas.florence):
        assert event_announce(event=event) == 2
    assert smtp_sink.messages == []  # queued, not sent yet

    optout_add(email_hash=optout_hash("Bob@Example.com "))  # the link's hash, however typed
    for callback in callbacks:
        callback()

    assert [m["To"] for m in smtp_sink.messages] == ["both@example.com"]
    bob = OutboxEmail.objects.get(template="event-announcement", to="bob@example.com")
    assert (bob.status, bob.last_error, bob.context) == ("cancelled", "opted out", None)
    assert OutboxEmail.objects.get(to="both@example.com").status == "sent"


def test_it_tells_confirmed_and_waitlisted_registrants_of_a_cancellation(personas):
    event = make_event(personas.florence, visibility=V.PUBLIC, capacity=2, guests_per_member=1)
    waiting, leaving, bystander = (
        make_user(f"{name}@example.com", first_name=name.capitalize())
        for name in ("waiting", "leaving", "bystander")
    )
    for card, user in enumerate((waiting, leaving, bystander), start=60):
        member(personas.florence, user, card=card)
    with scope(network=personas.florence):
        guest = registration_register_guest(
            event=event, name="Gina Ospite", email="gina@example.com", company=""
        )
        assert guest is not None
        registration_confirm_guest(event=event, registration_id=guest.pk)
        bob, _ = registration_register(event=event, user=personas.bob, guest_names=["Ugo"])
        bob_guest = bob.guests.get()
        waitlisted, _ = registration_register(event=event, user=waiting)
        left, _ = registration_register(event=event, user=leaving)
        registration_cancel(registration=left)
        statuses = {
            r.name: r.status
            for r in Registration.objects.filter(pk__in=[guest.pk, bob.pk, waitlisted.pk, left.pk])
        }
        assert statuses == {
            "Gina Ospite": S.CONFIRMED,
            "Bob Bellini": S.CONFIRMED,
            "Waiting": S.WAITLISTED,
            "Leaving": S.CANCELLED,
        }
        assert bob_guest.status == S.WAITLISTED  # capacity 2: Gina and Bob
        before = OutboxEmail.objects.count()

        assert event_cancel(event=event) == 3
        assert event_cancel(event=event) == 0  # a second click tells nobody again
        assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED

    assert announced("event-cancelled") == [
        "bob@example.com",
        "gina@example.com",
        "waiting@example.com",
    ]
    assert OutboxEmail.objects.count() == before + 3  # nothing to Alice, Leaving, the bystander
    keys = set(
        OutboxEmail.objects.filter(template="event-cancelled").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == {f"event-cancelled:{r.pk}" for r in (guest, bob, waitlisted)}


def test_it_shows_consent_withdrawn_after_a_one_click_opt_out_and_lets_it_be_given_again(
    client, personas
):
    profile_update(user=personas.bob, event_news=True)
    optout_add(email_hash=optout_hash(personas.bob.email))
    client.force_login(personas.bob)
    form = client.get(reverse("members:profile")).context["form"]
    assert form["event_news"].value() is False  # the page tells the truth
    profile_update(user=personas.bob, event_news=True)  # ticking it again
    assert not optout_exists(email=personas.bob.email)
