"""The pages offer exactly what the services accept: one rule, asked by both.

Each event goes through one moment of its life (a draft, published and weeks ahead, starting
within the hour, started, over, cancelled); for each action the page is read first (is the
button or link there?), then the service is asked to do it (does it accept?). The two must
agree, and agree with the rule as the README tells coordinators.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from events.models import Event, Registration
from events.services.checkin import CheckinNotOpen, walk_in_add
from events.services.events import (
    EDITABLE,
    EventClosed,
    EventDetails,
    event_announce,
    event_cancel,
    event_followup,
    event_publish,
    event_update,
)
from events.services.registrations import (
    RegistrationClosed,
    guest_token,
    registration_cancel,
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from members.services.profiles import profile_update
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db


@dataclass
class Moment:
    event: Event
    member: Registration | None  # Bob's place
    guest: Registration | None  # a guest's place, cancelled through the emailed link
    at: datetime  # when the page is read and the service asked


def _with_places(event: Event, personas) -> tuple[Registration, Registration]:
    with scope(network=personas.florence):
        member = registration_register(event=event, user=personas.bob)[0]
        guest = registration_register_guest(
            event=event, name="Gina Guest", email="gina@example.com", company=""
        )
        assert guest is not None
        confirmed = registration_confirm_guest(event=event, registration_id=guest.pk)
    assert member.status == confirmed.status == Registration.Status.CONFIRMED  # type: ignore[union-attr]
    return member, confirmed  # type: ignore[return-value]


def _published(personas, starts_at: datetime) -> tuple[Event, Registration, Registration]:
    event = make_event(personas.florence, starts_at=starts_at, visibility=Event.Visibility.PUBLIC)
    return event, *_with_places(event, personas)


def draft(personas) -> Moment:
    event = make_event(personas.florence, publish=False, visibility=Event.Visibility.PUBLIC)
    return Moment(event, None, None, timezone.now())


def weeks_ahead(personas) -> Moment:
    event, member, guest = _published(personas, timezone.now() + timedelta(days=20))
    return Moment(event, member, guest, timezone.now())


def within_the_hour(personas) -> Moment:
    event, member, guest = _published(personas, timezone.now() + timedelta(minutes=50))
    return Moment(event, member, guest, timezone.now())


def started(personas) -> Moment:
    event, member, guest = _published(personas, timezone.now() + timedelta(days=2))
    return Moment(event, member, guest, event.starts_at + timedelta(minutes=30))


def over(personas) -> Moment:
    event, member, guest = _published(personas, timezone.now() + timedelta(days=2))
    return Moment(event, member, guest, event.ends_at + timedelta(days=1))


def cancelled(personas) -> Moment:
    event, member, guest = _published(personas, timezone.now() + timedelta(days=20))
    with scope(network=personas.florence):
        event_cancel(event=event)
    return Moment(event, member, guest, timezone.now())


MOMENTS = {
    "draft": draft,
    "weeks_ahead": weeks_ahead,
    "within_the_hour": within_the_hour,
    "started": started,
    "over": over,
    "cancelled": cancelled,
}


def _url(name: str, event: Event, **extra) -> str:
    return reverse(name, kwargs={"network_slug": "florence", "event_id": event.pk, **extra})


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _fresh(event: Event) -> Event:
    return Event.objects.select_related("network").get(pk=event.pk)


# --- Each rule: (is it offered on its page?, does its service accept it?) ----------------------


def member_cancel(client, personas, m: Moment) -> tuple[bool, bool]:
    assert m.member is not None
    page = _page(client, personas.bob, _url("event_detail", m.event))
    offered = f'action="{_url("event_cancel_registration", m.event)}"' in page
    try:
        registration_cancel(registration=m.member)
    except RegistrationClosed:
        return offered, False
    return offered, True


def guest_cancel(client, personas, m: Moment) -> tuple[bool, bool]:
    assert m.guest is not None
    token = guest_token(registration=m.guest, action="cancel")
    client.logout()
    page = client.get(_url("event_guest_cancel", m.event, token=token)).content.decode()
    offered = '<form method="post"' in page
    try:
        registration_cancel(registration=m.guest)
    except RegistrationClosed:
        return offered, False
    return offered, True


def edit(client, personas, m: Moment) -> tuple[bool, bool]:
    page = _page(client, personas.alice, _url("manage_event", m.event))
    offered = f'href="{_url("manage_event_edit", m.event)}"' in page
    form = client.get(_url("manage_event_edit", m.event))
    assert (form.status_code == 200) == offered  # the form itself opens only when offered
    event = _fresh(m.event)
    data = {name: getattr(event, name) for name in EDITABLE} | {"title": "Renamed"}
    try:
        event_update(event=event, details=EventDetails(**data), cohosts=[])
    except EventClosed:
        return offered, False
    return offered, True


def cancel(client, personas, m: Moment) -> tuple[bool, bool]:
    page = _page(client, personas.alice, _url("manage_event", m.event))
    offered = f'action="{_url("manage_event_cancel", m.event)}"' in page
    before = _fresh(m.event)
    try:
        event_cancel(event=before)
    except EventClosed:
        return offered, False
    # A second cancel is accepted quietly but changes nothing: not an action on offer.
    return offered, before.status != Event.Status.CANCELLED


def announce(client, personas, m: Moment) -> tuple[bool, bool]:
    profile_update(user=personas.bob, event_news=True)  # somebody to announce it to
    page = _page(client, personas.alice, _url("manage_event", m.event))
    offered = f'href="{_url("manage_event_announce", m.event)}"' in page
    return offered, event_announce(event=_fresh(m.event)) > 0


def publish(client, personas, m: Moment) -> tuple[bool, bool]:
    page = _page(client, personas.alice, _url("manage_event", m.event))
    offered = f'action="{_url("manage_event_publish", m.event)}"' in page
    return offered, event_publish(event=_fresh(m.event))


def check_in(client, personas, m: Moment) -> tuple[bool, bool]:
    page = _page(client, personas.alice, _url("event_checkin", m.event))
    offered = 'id="scan-form"' in page and 'id="walk-in"' in page
    try:
        walk_in_add(event=_fresh(m.event), name="Walter", email="", company="", by=personas.alice)
    except CheckinNotOpen:
        return offered, False
    return offered, True


def follow_up(client, personas, m: Moment) -> tuple[bool, bool]:
    page = _page(client, personas.alice, _url("manage_event", m.event))
    offered = f'action="{_url("manage_event_followup", m.event)}"' in page
    if m.guest is not None:
        with scopes_disabled():  # the guest came (set by hand: the door may have been closed)
            Registration.objects.filter(pk=m.guest.pk).update(checked_in_at=m.event.starts_at)
    result = event_followup(event=_fresh(m.event), by=personas.alice)
    return offered, _fresh(m.event).followup_sent_at is not None and result.invited == 1


RULES: dict[str, Callable] = {
    "member_cancel": member_cancel,
    "guest_cancel": guest_cancel,
    "edit": edit,
    "cancel": cancel,
    "announce": announce,
    "publish": publish,
    "check_in": check_in,
    "follow_up": follow_up,
}

# What each rule allows at each moment (None: the moment has nothing to act on).
ALLOWED = {
    #                 draft  weeks  hour   started over   cancelled
    "member_cancel": (None, True, True, False, False, False),
    "guest_cancel": (None, True, True, False, False, False),
    "edit": (True, True, True, False, False, False),
    "cancel": (True, True, True, False, False, False),
    "announce": (False, True, True, False, False, False),
    "publish": (True, False, False, False, False, False),
    # The door opens a few hours before the start and closes when the event ends.
    "check_in": (False, False, True, True, False, False),
    "follow_up": (False, False, False, False, True, False),
}

CASES = [
    pytest.param(rule, moment, allowed, id=f"{rule}-{moment}")
    for rule, row in ALLOWED.items()
    for moment, allowed in zip(MOMENTS, row, strict=True)
    if allowed is not None
]


@pytest.mark.parametrize(("rule", "moment", "allowed"), CASES)
def test_it_offers_an_action_exactly_when_the_service_accepts_it(
    client, personas, rule, moment, allowed
):
    m = MOMENTS[moment](personas)
    with time_machine.travel(m.at, tick=False), scope(network=personas.florence):
        offered, accepted = RULES[rule](client, personas, m)
    assert (offered, accepted) == (allowed, allowed)
