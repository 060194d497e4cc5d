"""/events/: every network's next events one may see, with one's own places marked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from events.models import Event
from events.services.registrations import registration_register
from tests.conftest import REQUEST_OVERHEAD
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
V = Event.Visibility


@pytest.fixture
def calendar(personas):
    """FlorenceIN and VenetoIN each have a public, a members' and a federation event."""
    events = {}
    for network in (personas.florence, personas.veneto):
        for visibility in (V.PUBLIC, V.NETWORK, V.FEDERATION):
            title = f"{network.name} {visibility}"
            events[title] = make_event(network, title=title, visibility=visibility)
    events["draft"] = make_event(personas.florence, title="Bozza", publish=False)
    return events


def _titles(client) -> list[str]:
    response = client.get("/events/")
    assert response.status_code == 200
    return sorted(e.title for e in response.context["events"])


def test_it_shows_each_person_the_events_they_may_see(client, personas, calendar):
    public = ["FlorenceIN public", "VenetoIN public"]
    assert _titles(client) == public  # a visitor
    client.force_login(personas.dave)  # an account without a membership
    assert _titles(client) == public
    client.force_login(personas.bob)  # a member of FlorenceIN
    assert _titles(client) == sorted(
        [*public, "FlorenceIN network", "FlorenceIN federation", "VenetoIN federation"]
    )
    client.force_login(personas.charlie)  # VenetoIN's coordinator
    assert "FlorenceIN network" not in _titles(client)


def test_it_marks_my_places_and_leaves_out_past_events(client, personas, calendar):
    event = calendar["FlorenceIN public"]
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
    past = make_event(personas.florence, title="Passato", visibility=V.PUBLIC)
    with scope(network=personas.florence):
        Event.objects.filter(pk=past.pk).update(
            starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3)
        )
    client.force_login(personas.bob)
    response = client.get("/events/")
    marked = {e.title: e.my_status for e in response.context["events"]}
    assert marked["FlorenceIN public"] == "confirmed"
    assert "Passato" not in marked
    assert "Ci sei" in response.content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_it_lists_in_a_constant_number_of_queries(
    client, personas, size, django_assert_max_num_queries
):
    for n in range(size):
        make_event(personas.florence, title=f"Serata {n}", visibility=V.PUBLIC)
    client.force_login(personas.bob)
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 1):
        response = client.get("/events/")
    assert len(response.context["events"]) == size


def test_it_is_linked_from_the_header(client, personas):
    assert 'href="/events/"' in client.get("/").content.decode()
