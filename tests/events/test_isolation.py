"""Every event URL, collected from the URLconf: another network's event is simply not there.

Charlie coordinates VenetoIN. FlorenceIN's events, asked for under /veneto/, answer exactly as
an event id that does not exist: 404 on GET and POST, whatever the page.
"""

import pytest
from django.urls import reverse
from django_scopes import scope

from events.services.registrations import registration_register
from events.urls import network_urlpatterns
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
WITH_EVENT = [p.name for p in network_urlpatterns if "<int:event_id>" in str(p.pattern)]


def _kwargs(pattern_name: str, event_id: int, registration_id: int) -> dict:
    kwargs = {"network_slug": "veneto", "event_id": event_id}
    pattern = next(p for p in network_urlpatterns if p.name == pattern_name)
    if "<int:registration_id>" in str(pattern.pattern):
        kwargs["registration_id"] = registration_id
    if "<str:token>" in str(pattern.pattern):
        kwargs["token"] = "x"
    return kwargs


def test_it_covers_every_event_page():
    assert len(WITH_EVENT) >= 18


@pytest.mark.parametrize("name", WITH_EVENT)
@pytest.mark.parametrize("visibility", ["public", "federation"])
def test_it_answers_404_for_another_networks_event(client, personas, name, visibility):
    event = make_event(personas.florence, visibility=visibility)
    with scope(network=personas.florence):
        registration, _ = registration_register(event=event, user=personas.bob)
    client.force_login(personas.charlie)
    answers = []
    for event_id in (event.pk, 999999):
        url = reverse(name, kwargs=_kwargs(name, event_id, registration.pk))
        assert client.post(url).status_code == 404, url
        answers.append(client.get(url).status_code)
    # A POST-only page refuses a GET (405) before looking anything up: the same either way.
    assert answers[0] == answers[1] and answers[0] in (404, 405)
    with scope(network=personas.florence):
        registration.refresh_from_db()
        assert registration.checked_in_at is None and registration.status == "confirmed"
