"""The coordinator's event pages: the form (times in Europe/Rome), publishing, cancelling."""

from datetime import UTC

import pytest
from django.urls import reverse
from django_scopes import scope

from events.models import Event
from events.services.registrations import registration_register
from outbox.models import OutboxEmail
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Colazione d'affari",
    "description": "Dieci minuti a testa.",
    "venue": "Caffè Gilli",
    "address": "Via Roma 1r, Firenze",
    "capacity": "30",
    "visibility": "network",
    "guests_allowed": "on",
    "guests_per_member": "1",
    "registration_opens_at": "",
    "registration_closes_at": "",
}


@pytest.mark.parametrize(
    ("local", "utc_hour"),
    [("2027-03-27T10:00", 9), ("2027-03-28T10:00", 8), ("2027-10-31T10:00", 9)],
)
def test_it_reads_times_in_rome_on_both_sides_of_dst(client, personas, local, utc_hour):
    client.force_login(personas.alice)
    data = {**FORM, "starts_at": local, "ends_at": local.replace("10:00", "12:00")}
    data["cohosts"] = [personas.veneto.pk]
    response = client.post(
        reverse("manage_event_create", kwargs={"network_slug": "florence"}), data
    )
    assert response.status_code == 302
    with scope(network=personas.florence):
        event = Event.objects.get()
        assert event.status == Event.Status.DRAFT
        assert event.starts_at.astimezone(UTC).hour == utc_hour
        assert set(event.hosts.values_list("slug", flat=True)) == {"florence", "veneto"}
        assert event.network == personas.florence and event.created_by == personas.alice


def test_it_shows_form_errors_instead_of_saving(client, personas):
    client.force_login(personas.alice)
    data = {**FORM, "starts_at": "2027-05-10T20:00", "ends_at": "2027-05-10T19:00"}
    response = client.post(
        reverse("manage_event_create", kwargs={"network_slug": "florence"}), data
    )
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    with scope(network=personas.florence):
        assert not Event.objects.exists()


def test_it_ignores_fields_the_server_owns(client, personas):
    client.force_login(personas.alice)
    data = {**FORM, "starts_at": "2027-05-10T19:00", "ends_at": "2027-05-10T21:00"}
    data |= {"status": "published", "confirmed_count": "99", "network": personas.veneto.pk}
    client.post(reverse("manage_event_create", kwargs={"network_slug": "florence"}), data)
    with scope(network=personas.florence):
        event = Event.objects.get()
    assert (event.status, event.confirmed_count, event.network) == ("draft", 0, personas.florence)


def test_it_publishes_and_cancels_telling_those_registered(client, personas):
    event = make_event(personas.florence, publish=False)
    client.force_login(personas.alice)
    url = lambda name: reverse(name, kwargs={"network_slug": "florence", "event_id": event.pk})  # noqa: E731
    assert client.post(url("manage_event_publish")).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
    assert client.post(url("manage_event_cancel")).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    told = OutboxEmail.objects.filter(template="event-cancelled").values_list("to", flat=True)
    assert list(told) == [personas.bob.email]
    page = client.get(url("event_detail")).content.decode()
    assert 'class="message message-error"' in page  # the cancelled banner


def test_it_lets_only_the_organiser_edit_a_joint_event(client, personas):
    joint = make_event(personas.florence, cohosts=[personas.veneto])
    kwargs = {"network_slug": "veneto", "event_id": joint.pk}
    client.force_login(personas.charlie)
    assert client.get(reverse("manage_event", kwargs=kwargs)).status_code == 200
    assert client.get(reverse("event_checkin", kwargs=kwargs)).status_code == 200
    assert client.get(reverse("manage_event_edit", kwargs=kwargs)).status_code == 403
    assert client.post(reverse("manage_event_cancel", kwargs=kwargs)).status_code == 403


def test_it_keeps_the_event_pages_for_coordinators(client, personas):
    listing = reverse("manage_events", kwargs={"network_slug": "florence"})
    client.force_login(personas.bob)
    assert client.get(listing).status_code == 403
    client.force_login(personas.charlie)
    assert client.get(listing).status_code == 404
    client.force_login(personas.alice)
    make_event(personas.florence, title="Serata visibile")
    assert "Serata visibile" in client.get(listing).content.decode()


def test_it_lists_upcoming_public_events_on_the_federation_home(client, personas):
    make_event(personas.florence, title="Aperta a tutti", visibility="public")
    make_event(personas.veneto, title="Solo soci", visibility="network")
    make_event(personas.veneto, title="Bozza", visibility="public", publish=False)
    page = client.get("/").content.decode()
    assert "Aperta a tutti" in page
    assert "Solo soci" not in page and "Bozza" not in page
