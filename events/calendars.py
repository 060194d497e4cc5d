"""iCalendar files: one event, and a network's subscribable feed (RFC 5545, via icalendar).

Times are written in Europe/Rome with the VTIMEZONE block, so calendars show 19:00 in Florence
on both sides of a daylight-saving change; clients in other zones convert from it.
"""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from events.models import Event

PRODID = "-//ClubIN//Events//IT"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _component(event: Event, url: str) -> CalendarEvent:
    zone = ZoneInfo(settings.TIME_ZONE)
    component = CalendarEvent()
    component.add("uid", f"event-{event.pk}@clubin")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", event.title)
    component.add("description", event.description)
    component.add("location", ", ".join(p for p in (event.venue, event.address) if p))
    component.add("url", url)
    if event.status == Event.Status.CANCELLED:
        component.add("status", "CANCELLED")
    else:
        component.add("status", "CONFIRMED")
    return component


def calendar_bytes(*, name: str, events: Iterable[tuple[Event, str]]) -> bytes:
    """A calendar of (event, page URL) pairs, with the time zone definitions it needs."""
    calendar = _calendar(name)
    for event, url in events:
        calendar.add_component(_component(event, url))
    calendar.add_missing_timezones()
    return calendar.to_ical()
