"""The demo events: FlorenceIN's calendar and the VenetoIN evening it co-hosts, loaded once.

Once for the module, too: the demo federation and the events (run twice) are loaded by a
module-scoped fixture and rolled back after the last test (see conftest.py).
"""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from demo.management.commands.load_demo_events import (
    APERITIVO,
    BREAKFAST,
    DEMO_EVENTS,
    EXCHANGE,
    FIRST_MEETING,
    LAUNCH,
    MEMBER_FLORENCE,
    STARTUPS,
)
from events.models import Event, Registration
from members.models import User
from networks.models import Membership, Network
from outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db
S = Registration.Status


def _load_events() -> str:
    out = io.StringIO()
    call_command("load_demo_events", force=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(demo_federation, django_db_blocker) -> list[str]:
    """The whole demo as `make run` loads it, with the events command run twice."""
    with django_db_blocker.unblock():
        return [_load_events(), _load_events()]


def _event(slug: str, title: str) -> Event:
    network = Network.objects.get(slug=slug)
    with scope(network=network):
        return Event.objects.prefetch_related("hosts").get(network=network, title=title)


def _latest_past(slug: str) -> Event:
    network = Network.objects.get(slug=slug)
    with scope(network=network):
        event = (
            Event.objects.filter(network=network, ends_at__lt=timezone.now())
            .order_by("-starts_at")
            .first()
        )
    assert event is not None
    return event


def _rows(event: Event):
    with scope(network=event.network):
        return Registration.objects.filter(event=event)


def test_it_loads_every_demo_event_once_however_often_it_runs(demo):
    first, second = demo
    assert "6 created, 0 already there" in first
    assert "0 created, 6 already there" in second
    assert "past evenings already there" in second
    assert "/florence/events/" in second and "/veneto/events/" in second
    for slug, title in DEMO_EVENTS:
        network = Network.objects.get(slug=slug)
        with scope(network=network):
            assert Event.objects.filter(network=network, title=title).count() == 1, title
    with scopes_disabled():
        before = (Event.objects.count(), Registration.objects.count(), OutboxEmail.objects.count())
        _load_events()
        after = (Event.objects.count(), Registration.objects.count(), OutboxEmail.objects.count())
    assert after == before


def test_it_keeps_every_counter_equal_to_its_confirmed_places(demo):
    for slug, title in DEMO_EVENTS:
        event = _event(slug, title)
        confirmed = _rows(event).filter(status=S.CONFIRMED).count()
        assert event.confirmed_count == confirmed, title
        assert event.capacity is None or event.confirmed_count <= event.capacity, title


def test_it_fills_the_aperitivo_with_members_their_guests_and_the_demo_member(demo):
    event = _event("florence", APERITIVO)
    assert (event.status, event.visibility) == ("published", "network")
    assert (event.capacity, event.guests_per_member) == (40, 1)
    assert event.starts_at > timezone.now()
    members = _rows(event).filter(user__isnull=False, status=S.CONFIRMED)
    assert members.count() >= 15
    assert members.filter(user__email=MEMBER_FLORENCE).exists()
    assert _rows(event).filter(brought_by__isnull=False, status=S.CONFIRMED).exists()


def test_it_opens_the_startup_evening_to_people_without_an_account(demo):
    event = _event("florence", STARTUPS)
    assert (event.status, event.visibility, event.guests_allowed) == ("published", "public", True)
    guests = _rows(event).filter(user=None, brought_by=None)
    assert guests.filter(status=S.CONFIRMED).exists()
    assert guests.filter(status=S.PENDING).exists()  # one has not clicked the link yet


def test_it_records_the_launch_evening_as_it_went(demo):
    event = _event("florence", LAUNCH)
    assert event.ends_at < timezone.now() and event.status == "published"
    assert event.capacity == 120 and "Hotel" in event.venue
    confirmed = _rows(event).filter(status=S.CONFIRMED)
    came = confirmed.filter(checked_in_at__isnull=False).count()
    assert confirmed.count() > 100
    assert 0.7 <= came / confirmed.count() <= 0.9  # about four in five came
    walk_ins = _rows(event).filter(status=S.WALK_IN)
    assert walk_ins.count() == 3
    assert all(w.checked_in_at and w.checked_in_at < event.ends_at for w in walk_ins)
    assert confirmed.filter(user__email=MEMBER_FLORENCE, checked_in_at__isnull=False).exists()


def test_it_keeps_a_draft_for_the_coordinator(demo):
    assert _event("florence", BREAKFAST).status == "draft"


def test_it_fills_the_federation_evening_and_queues_the_rest(demo):
    event = _event("veneto", EXCHANGE)
    assert event.visibility == "federation" and event.status == "published"
    assert {n.slug for n in event.hosts.all()} == {"veneto", "florence"}
    assert event.capacity == 5 and event.is_full
    assert _rows(event).filter(status=S.WAITLISTED).count() >= 1


def test_it_shows_the_veneto_evening_on_florence_calendar_to_its_members(demo, client):
    client.force_login(User.objects.get(email=MEMBER_FLORENCE))
    page = client.get("/florence/events/").content.decode()
    assert EXCHANGE in page and APERITIVO in page
    last = _latest_past("florence")
    assert last.title in page  # the recent past evenings; the launch, two years back, has its page
    launch = _event("florence", LAUNCH)
    assert LAUNCH in client.get(f"/florence/events/{launch.pk}/").content.decode()
    assert APERITIVO in client.get("/me/events/").content.decode()  # the demo member's ticket
    client.logout()
    anonymous = client.get("/florence/events/").content.decode()
    assert STARTUPS in anonymous and EXCHANGE not in anonymous and APERITIVO not in anonymous


def test_it_delivers_no_email_to_the_invented_people(demo):
    assert mail.outbox == []
    tickets = OutboxEmail.objects.filter(template__startswith="event-")
    assert tickets.exists()  # shown in the development outbox
    assert not tickets.exclude(status=OutboxEmail.Status.CANCELLED).exists()


def test_it_holds_an_evening_a_month_with_who_came(demo):
    now = timezone.now()
    for slug in ("milan", "florence", "veneto", "cagliari", "bologna"):
        network = Network.objects.get(slug=slug)
        with scope(network=network):
            past = Event.objects.filter(network=network, status="published", ends_at__lt=now)
            months = {e.starts_at.strftime("%Y-%m") for e in past}
            launched = network.launched_on
            assert launched is not None
            expected = (now.date() - launched).days // (42 if network.status == "forming" else 31)
            assert len(months) >= expected, slug
            assert (now - past.order_by("-starts_at")[0].starts_at).days < 60, slug
            places = Registration.objects.filter(event__in=past)
            came = places.filter(status=S.CONFIRMED, checked_in_at__isnull=False).count()
            assert 0.6 <= came / places.filter(status=S.CONFIRMED).count() <= 0.95, slug
            assert places.filter(status=S.WALK_IN).exists(), slug
            for event in past:
                assert event.confirmed_count == places.filter(
                    event=event, status=S.CONFIRMED).count()  # fmt: skip
            # Only who could: checked in once the evening began, registered before it.
            assert not places.filter(checked_in_at__lt=F("event__starts_at")).exists(), slug
            assert not places.filter(created_at__gt=F("event__starts_at")).exclude(
                status=S.WALK_IN).exists(), slug  # fmt: skip
            upcoming = Registration.objects.filter(event__starts_at__gt=now)
            assert not upcoming.filter(checked_in_at__isnull=False).exists(), slug
            # Members came while they held a card.
            member = places.filter(user__isnull=False).select_related("user", "event").first()
            assert member is not None and member.user is not None
            card = Membership.objects.get(network=network, user=member.user)
            assert card.joined_on <= member.event.starts_at.date()


def test_it_leaves_marche_before_its_first_meeting(demo):
    network = Network.objects.get(slug="marche")
    with scope(network=network):
        events = Event.objects.filter(network=network)
        assert not events.filter(starts_at__lt=timezone.now()).exists()
        assert events.get(title=FIRST_MEETING).status == "published"
