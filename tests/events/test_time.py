"""Event pages that know time: a concluded event reports its attendance and offers nothing to
do; an upcoming one has no attendance yet; lists and "My events" show my own place."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from events.models import Event, Registration
from events.services.checkin import checkin_registration, walk_in_add
from events.services.registrations import registration_register
from tests.conftest import PASSWORD, REQUEST_OVERHEAD, make_user
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
V = Event.Visibility
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(name: str, event: Event, slug: str = "florence") -> str:
    return reverse(name, kwargs={"network_slug": slug, "event_id": event.pk})


@pytest.fixture
def evening_2009(personas) -> Event:
    """A full evening of March 2009: two places, Bob came, Alice did not, Dave waited, and a
    walk-in came to the door."""
    starts = datetime(2009, 3, 12, 19, 0, tzinfo=ROME)
    with time_machine.travel(starts - timedelta(days=10), tick=False):
        event = make_event(
            personas.florence, title="Serata 2009", capacity=2, starts_at=starts,
            visibility=V.PUBLIC,
        )  # fmt: skip
        with scope(network=personas.florence):
            bob, _ = registration_register(event=event, user=personas.bob)
            registration_register(event=event, user=personas.alice)
            waiting, _ = registration_register(event=event, user=personas.dave)
    assert waiting.status == Registration.Status.WAITLISTED
    at_the_door = time_machine.travel(starts + timedelta(minutes=10), tick=False)
    with at_the_door, scope(network=personas.florence):
        checkin_registration(event=event, registration_id=bob.pk, by=personas.alice)
        walk_in_add(event=event, name="Walter", email="", company="", by=personas.alice)
    event.refresh_from_db()
    return event


def test_it_says_a_past_event_is_concluded_with_its_attendance(english, personas, evening_2009):
    event = evening_2009
    english.force_login(personas.bob)
    page = english.get(_url("event_detail", event)).content.decode()
    assert 'id="concluded"' in page and "This event is concluded." in page
    assert "1 of 2 confirmed attended" in page and "1 walk-in" in page
    assert "You were there." in page
    # Nothing to do with a place any more: no register, waitlist, cancel or ticket.
    assert _url("event_register", event) not in page
    assert _url("event_cancel_registration", event) not in page
    assert "waitlist" not in page.lower() and "ticket-qr" not in page
    assert "Full" not in page

    listing = english.get("/florence/events/").content.decode()
    assert "Serata 2009" in listing and "concluded" in listing
    assert "1 of 2 confirmed attended" in listing
    assert "full: waitlist open" not in listing


def test_it_offers_no_check_in_or_edit_on_a_concluded_event(english, personas, evening_2009):
    event = evening_2009
    english.force_login(personas.alice)
    manage = english.get(_url("manage_event", event)).content.decode()
    assert _url("event_checkin", event) not in manage
    assert _url("manage_event_edit", event) not in manage
    assert _url("manage_event_cancel", event) not in manage
    assert "concluded" in manage
    door = english.get(_url("event_checkin", event)).content.decode()
    assert 'id="scan-form"' not in door and "check-in is closed" in door
    refused = english.post(_url("event_checkin_walk_in", event), {"name": "Late Larry"})
    assert refused.status_code == 409 and "check-in is closed" in refused.content.decode()
    with scope(network=personas.florence):
        assert not Registration.objects.filter(name="Late Larry").exists()
    assert event.checkin_is_open is False and event.can_edit is False


def test_it_shows_no_attendance_figures_before_the_start(english, personas):
    """Not "0% attendance · 20 not arrived" for an evening that has not happened yet."""
    event = make_event(personas.florence, capacity=30)
    for n in range(20):
        person = make_user(f"socio{n}@example.com")
        member(personas.florence, person, card=100 + n)
        with scope(network=personas.florence):
            registration_register(event=event, user=person)
    english.force_login(personas.alice)
    manage = english.get(_url("manage_event", event)).content.decode()
    assert "<strong>20</strong>" in manage  # expected
    assert "attendance</small>" not in manage and "not arrived" not in manage
    assert "no-show" not in manage and "%" not in manage.split('id="door-counts"')[1][:600]


def test_it_shows_a_waitlisted_place_on_my_events(english, personas):
    event = make_event(personas.florence, title="Cena sociale", capacity=1)
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.alice)
    others = [make_user(f"attesa{n}@example.com") for n in range(2)]
    for n, person in enumerate(others):
        member(personas.florence, person, card=50 + n)
        with scope(network=personas.florence):
            registration_register(event=event, user=person)
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
    english.force_login(personas.bob)
    page = english.get(reverse("my_events")).content.decode()
    card = page.split("Cena sociale", 1)[1]
    assert "On the waitlist, #3" in card
    assert event.starts_at.astimezone(ROME).isoformat()[:16] in card  # the <time> of the event
    assert _url("event_detail", event) in page


def test_it_marks_my_registrations_in_the_lists(english, personas):
    mine = make_event(personas.florence, title="Ci vado", visibility=V.PUBLIC)
    waiting = make_event(personas.florence, title="In attesa", capacity=1, visibility=V.PUBLIC)
    make_event(personas.florence, title="Non ci vado", visibility=V.PUBLIC)
    with scope(network=personas.florence):
        registration_register(event=mine, user=personas.bob)
        registration_register(event=waiting, user=personas.alice)
        registration_register(event=waiting, user=personas.bob)
    english.force_login(personas.bob)
    for url in ("/florence/events/", "/"):
        page = english.get(url).content.decode()
        items = {title: page.split(title, 1)[1].split("</article>", 1)[0]
                 for title in ("Ci vado", "In attesa", "Non ci vado")}  # fmt: skip
        assert "You're in" in items["Ci vado"], url
        assert "On the waitlist, #1" in items["In attesa"], url
        assert "badge mine" not in items["Non ci vado"], url
    english.force_login(personas.alice)  # the same lists, someone else's places
    page = english.get("/florence/events/").content.decode()
    assert "You're in" in page.split("In attesa", 1)[1].split("</article>", 1)[0]
    assert "badge mine" not in page.split("Ci vado", 1)[1].split("</article>", 1)[0]
    english.logout()
    assert "badge mine" not in english.get("/").content.decode()


@pytest.mark.parametrize("size", [2, 25])
def test_it_marks_my_places_in_a_constant_number_of_queries(
    client, personas, size, django_assert_max_num_queries
):
    for n in range(size):
        event = make_event(personas.florence, title=f"Evento {n}", capacity=1, visibility=V.PUBLIC)
        with scope(network=personas.florence):
            registration_register(event=event, user=personas.alice)  # full: Bob waits
            registration_register(event=event, user=personas.bob)
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        past = make_event(personas.florence, title="Evento passato", capacity=1)
    client.force_login(personas.bob)
    client.get("/florence/")
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 2):  # upcoming, past
        listing = client.get("/florence/events/")
    marked = [e.my_position for e in listing.context["upcoming"]]
    assert marked == [1] * size
    assert [e.pk for e in listing.context["past"]] == [past.pk]
    with django_assert_max_num_queries(11):  # the signed-in home's budget (test_home.py)
        home = client.get("/")
    # My places first, each with where I stand; the public events after them are others.
    assert [r.position for r in home.context["registrations"]] == [1] * min(size, 3)
    # upcoming registrations and their guests, past registrations
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 3):
        mine = client.get(reverse("my_events"))
    assert [r.position for r, _qr in mine.context["tickets"]] == [1] * size


def test_it_asks_a_visitor_to_log_in_for_a_members_only_event(client, personas):
    event = make_event(personas.florence, visibility=V.NETWORK)
    url = _url("event_detail", event)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    # An event that does not exist answers the same, so the redirect tells nothing.
    missing = reverse("event_detail", kwargs={"network_slug": "florence", "event_id": 999999})
    assert client.get(missing)["Location"] == f"{reverse('account_login')}?next={missing}"
    # Signed in without a tie to the event: the 404 that says nothing.
    client.force_login(personas.dave)
    assert client.get(url).status_code == 404
    assert client.get(missing).status_code == 404
    # After logging in from that page, a member lands on the event.
    client.logout()
    logged = client.post(
        f"{reverse('account_login')}?next={url}",
        {"login": "bob@example.com", "password": PASSWORD, "next": url},
    )
    assert logged["Location"] == url
    assert client.get(url).status_code == 200
