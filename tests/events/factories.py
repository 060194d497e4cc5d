"""Builders for event tests: events in a network, people registered without the web pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scope

from events.models import Event
from events.services.events import EventDetails, event_create, event_publish
from networks.models import Network

ROME = ZoneInfo("Europe/Rome")


def event_data(**overrides) -> dict:
    starts = overrides.pop("starts_at", timezone.now() + timedelta(days=10))
    data = {
        "title": "Aperitivo di FlorenceIN",
        "description": "Presentazioni a giro e networking.",
        "venue": "Grand Hotel Baglioni",
        "address": "Piazza dell'Unità Italiana 6, Firenze",
        "starts_at": starts,
        "ends_at": overrides.pop("ends_at", starts + timedelta(hours=3)),
        "capacity": 10,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "visibility": Event.Visibility.NETWORK,
        "guests_allowed": True,
        "guests_per_member": 0,
    }
    data.update(overrides)
    return data


def make_event(
    network: Network, *, by=None, publish: bool = True, cohosts=(), **overrides
) -> Event:
    with scope(network=network):
        event = event_create(
            network=network,
            created_by=by,
            details=EventDetails(**event_data(**overrides)),
            cohosts=cohosts,
        )
        if publish:
            event_publish(event=event)
            event.refresh_from_db()
        return event


def starting_soon() -> datetime:
    """A start within the hour: registration still open, and the door open for check-in."""
    return timezone.now() + timedelta(hours=1)


def rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)
