"""The .ics files: one event's entry and a network's feed, as a calendar client reads them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope
from icalendar import Calendar

from events.models import Event
from events.services.events import event_cancel
from tests.events.factories import make_event, rome

pytestmark = pytest.mark.django_db

PUBLIC = Event.Visibility.PUBLIC
NETWORK = Event.Visibility.NETWORK
FEED = "/florence/events/feed.ics"


@pytest.fixture(autouse=True)
def _early_2027():
    # Before every event below, so the feed's "last 90 days and upcoming" keeps all of them.
    with time_machine.travel(datetime(2027, 2, 1, 9, 0, tzinfo=UTC), tick=False):
        yield


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ics_url(event: Event, network_slug: str = "florence") -> str:
    return f"/{network_slug}/events/{event.pk}/event.ics"


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


# 19:00 in Rome on each side of both changes of 2027 (28 March and 31 October).
DST_CASES = [
    pytest.param(rome(2027, 3, 27, 19), utc(2027, 3, 27, 18), 1, id="before-summer-time"),
    pytest.param(rome(2027, 3, 29, 19), utc(2027, 3, 29, 17), 2, id="after-summer-time"),
    pytest.param(rome(2027, 10, 30, 19), utc(2027, 10, 30, 17), 2, id="before-winter-time"),
    pytest.param(rome(2027, 11, 1, 19), utc(2027, 11, 1, 18), 1, id="after-winter-time"),
]


@pytest.mark.parametrize(("starts", "starts_utc", "offset_hours"), DST_CASES)
def test_it_serves_an_event_that_parses_back_at_the_right_time(
    client, personas, starts, starts_utc, offset_hours
):
    ends, ends_utc = starts + timedelta(hours=3), starts_utc + timedelta(hours=3)
    event = make_event(personas.florence, visibility=PUBLIC, starts_at=starts, ends_at=ends)
    response = client.get(ics_url(event))
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    calendar = parse(response)
    [component] = vevents(calendar)
    assert str(component["uid"]) == f"event-{event.pk}@clubin"
    assert str(component["summary"]) == event.title
    assert str(component["status"]) == "CONFIRMED"

    start, end = component.decoded("dtstart"), component.decoded("dtend")
    # Written as wall-clock time in Rome, not converted to UTC or left floating.
    assert component["dtstart"].params["TZID"] == "Europe/Rome"
    assert component["dtend"].params["TZID"] == "Europe/Rome"
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        starts.replace(tzinfo=None),
        ends.replace(tzinfo=None),
    )
    assert start.utcoffset() == end.utcoffset() == timedelta(hours=offset_hours)
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (starts_utc, ends_utc)
    local = f"DTSTART;TZID=Europe/Rome:{starts:%Y%m%dT%H%M%S}".encode()
    assert local in response.content


@pytest.mark.parametrize(("starts", "starts_utc", "offset_hours"), DST_CASES)
def test_it_includes_a_vtimezone_that_alone_gives_the_right_utc_time(
    client, personas, starts, starts_utc, offset_hours
):
    """A client without the Olson database reads the offsets from the file's VTIMEZONE."""
    event = make_event(personas.florence, visibility=PUBLIC, starts_at=starts)
    calendar = parse(client.get(ics_url(event)))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Rome"
    # Built from the VTIMEZONE's own STANDARD/DAYLIGHT rules, not looked up by name.
    from_file = zone.to_tz(lookup_tzid=False)
    wall = vevents(calendar)[0].decoded("dtstart").replace(tzinfo=None)
    assert wall == starts.replace(tzinfo=None)
    as_read = wall.replace(tzinfo=from_file)
    assert as_read.utcoffset() == timedelta(hours=offset_hours)
    assert as_read.astimezone(UTC) == starts_utc


def test_it_keeps_the_real_duration_of_a_night_across_the_change(client, personas):
    """23:00 to 04:00 on the night summer time starts is four hours, not five."""
    event = make_event(
        personas.florence,
        visibility=PUBLIC,
        starts_at=rome(2027, 3, 27, 23),
        ends_at=rome(2027, 3, 28, 4),
    )
    [component] = vevents(parse(client.get(ics_url(event))))
    start, end = component.decoded("dtstart"), component.decoded("dtend")
    assert (start.hour, end.hour) == (23, 4)
    assert start.astimezone(UTC) == utc(2027, 3, 27, 22)
    assert end.astimezone(UTC) == utc(2027, 3, 28, 2)
    # (Subtracting two datetimes of one tzinfo in Python counts wall-clock hours: go via UTC.)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=4)


def test_it_marks_a_cancelled_event_cancelled(client, personas):
    kept = make_event(personas.florence, visibility=PUBLIC, starts_at=rome(2027, 3, 10, 19))
    called_off = make_event(personas.florence, visibility=PUBLIC, starts_at=rome(2027, 3, 11, 19))
    with scope(network=personas.florence):
        event_cancel(event=called_off)

    [cancelled] = vevents(parse(client.get(ics_url(called_off))))
    assert str(cancelled["status"]) == "CANCELLED"
    assert b"STATUS:CANCELLED" in client.get(ics_url(called_off)).content
    [confirmed] = vevents(parse(client.get(ics_url(kept))))
    assert str(confirmed["status"]) == "CONFIRMED"
    # The feed carries the cancellation too, so subscribed calendars drop the event.
    feed = {str(c["uid"]): str(c["status"]) for c in vevents(parse(client.get(FEED)))}
    assert feed == {
        f"event-{kept.pk}@clubin": "CONFIRMED",
        f"event-{called_off.pk}@clubin": "CANCELLED",
    }


def test_it_puts_only_public_events_in_the_anonymous_feed(client, personas):
    public = make_event(
        personas.florence,
        visibility=PUBLIC,
        title="Aperitivo aperto",
        starts_at=rome(2027, 3, 3, 19),
    )
    make_event(
        personas.florence, visibility=NETWORK, title="Solo soci", starts_at=rome(2027, 3, 4, 19)
    )
    make_event(
        personas.florence,
        visibility=Event.Visibility.FEDERATION,
        title="Per la federazione",
        starts_at=rome(2027, 3, 5, 19),
    )
    make_event(
        personas.florence,
        visibility=PUBLIC,
        title="Bozza",
        publish=False,
        starts_at=rome(2027, 3, 6, 19),
    )
    make_event(
        personas.veneto, visibility=PUBLIC, title="Di un'altra rete", starts_at=rome(2027, 3, 7, 19)
    )

    response = client.get(FEED)  # nobody signed in: feed readers have no login
    calendar = parse(response)
    assert str(calendar["x-wr-calname"]) == "FlorenceIN"
    assert [str(c["summary"]) for c in vevents(calendar)] == ["Aperitivo aperto"]
    assert [str(c["uid"]) for c in vevents(calendar)] == [f"event-{public.pk}@clubin"]
    assert b"Solo soci" not in response.content
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]

    # A member signed in gets the same feed: it is public by design, not by who asks.
    client.force_login(personas.bob)
    assert [str(c["summary"]) for c in vevents(parse(client.get(FEED)))] == ["Aperitivo aperto"]


def test_it_hides_a_members_only_event_file_from_outsiders(client, personas):
    event = make_event(
        personas.florence, visibility=NETWORK, title="Solo soci", starts_at=rome(2027, 3, 4, 19)
    )
    anonymous = client.get(ics_url(event))
    assert anonymous.status_code == 404
    client.force_login(personas.charlie)  # coordinates VenetoIN, not a member of FlorenceIN
    assert client.get(ics_url(event)).status_code == 404
    assert client.get(ics_url(event, "veneto")).status_code == 404  # nor under his own network
    client.force_login(personas.dave)
    assert client.get(ics_url(event)).status_code == 404
    # A member of the network gets it, so the 404s above are about who asks.
    client.force_login(personas.bob)
    [component] = vevents(parse(client.get(ics_url(event))))
    assert str(component["summary"]) == "Solo soci"
