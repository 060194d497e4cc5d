"""Event pages: who sees what (the visibility matrix), registering over HTTP, query budgets."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from events.models import Event, Registration
from events.services import registrations
from events.services.registrations import registration_confirm_guest, registration_register
from outbox.models import OutboxEmail
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
V = Event.Visibility


def _url(name, event, slug="florence"):
    return reverse(name, kwargs={"network_slug": slug, "event_id": event.pk})


# visitor, FlorenceIN member, VenetoIN member (another network's), FlorenceIN coordinator
MATRIX = {
    V.PUBLIC: {"visitor": 200, "bob": 200, "charlie": 200, "alice": 200, "dave": 200},
    V.NETWORK: {"visitor": 404, "bob": 200, "charlie": 404, "alice": 200, "dave": 404},
    V.FEDERATION: {"visitor": 404, "bob": 200, "charlie": 200, "alice": 200, "dave": 404},
}


@pytest.mark.parametrize("visibility", list(MATRIX))
def test_it_enforces_visibility_on_every_event_page(client, personas, visibility):
    event = make_event(personas.florence, visibility=visibility)
    for who, expected in MATRIX[visibility].items():
        client.logout()
        if who != "visitor":
            client.force_login(getattr(personas, who))
        for name in ("event_detail", "event_ics"):
            response = client.get(_url(name, event))
            if who == "visitor" and name == "event_detail" and expected == 404:
                # The page a member's link opens asks a visitor to log in instead.
                login = f"{reverse('account_login')}?next={_url(name, event)}"
                assert (response.status_code, response["Location"]) == (302, login)
                continue
            assert response.status_code == expected, (who, name)
        listed = event.title in client.get("/florence/events/").content.decode()
        assert listed == (expected == 200), who


def test_it_hides_drafts_from_everyone_but_coordinators(client, personas):
    draft = make_event(personas.florence, visibility=V.PUBLIC, publish=False)
    client.force_login(personas.bob)
    assert client.get(_url("event_detail", draft)).status_code == 404
    client.force_login(personas.alice)
    assert client.get(_url("event_detail", draft)).status_code == 200


def test_it_answers_404_for_an_event_of_another_network_under_its_address(client, personas):
    """A VenetoIN event read through /florence/ does not exist there, public or not."""
    venice = make_event(personas.veneto, visibility=V.PUBLIC)
    client.force_login(personas.alice)
    assert client.get(_url("event_detail", venice, "florence")).status_code == 404
    assert client.get(_url("event_detail", venice, "veneto")).status_code == 200
    missing = reverse("event_detail", kwargs={"network_slug": "florence", "event_id": 999999})
    assert client.get(missing).status_code == 404


def test_it_shows_a_joint_event_on_each_hosts_calendar(client, personas):
    joint = make_event(personas.florence, cohosts=[personas.veneto], title="Scambio Firenze-Veneto")
    client.force_login(personas.charlie)  # VenetoIN: a co-host's coordinator
    assert joint.title in client.get("/veneto/events/").content.decode()
    page = client.get(_url("event_detail", joint, "veneto"))
    assert page.status_code == 200
    assert "FlorenceIN" in page.content.decode() and "VenetoIN" in page.content.decode()


def test_it_lets_another_networks_member_register_to_a_federation_event(client, personas):
    event = make_event(personas.florence, visibility=V.FEDERATION)
    client.force_login(personas.charlie)
    response = client.post(_url("event_register", event))
    assert response.status_code == 302
    with scope(network=personas.florence):
        assert Registration.objects.get(event=event).user == personas.charlie


def test_it_refuses_members_only_registration_to_outsiders_with_404(client, personas):
    event = make_event(personas.florence, visibility=V.NETWORK)
    client.force_login(personas.charlie)
    assert client.post(_url("event_register", event)).status_code == 404
    with scope(network=personas.florence):
        assert not Registration.objects.exists()


def test_it_registers_in_one_click_and_shows_the_ticket(client, personas):
    event = make_event(personas.florence)
    client.force_login(personas.bob)
    response = client.post(_url("event_register", event), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page  # the ticket's QR code
    with scope(network=personas.florence):
        registration = Registration.objects.get(event=event, user=personas.bob)
    assert registration.ticket_code in page
    assert registration.ticket_code in client.get(reverse("my_events")).content.decode()


def test_it_lets_a_person_cancel_and_the_waitlist_move_up(client, personas):
    event = make_event(personas.florence, capacity=1)
    carla = make_user("carla@example.com", first_name="Carla")
    member(personas.florence, carla, card=3)
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
        registration_register(event=event, user=carla)
    client.force_login(personas.bob)
    assert client.post(_url("event_cancel_registration", event)).status_code == 302
    with scope(network=personas.florence):
        assert Registration.objects.get(user=carla).status == Registration.Status.CONFIRMED
        assert Registration.objects.get(user=personas.bob).status == Registration.Status.CANCELLED


def test_it_makes_an_unverified_non_member_verify_first(client, personas):
    event = make_event(personas.florence, visibility=V.PUBLIC)
    eve = make_user("eve@example.com", verified=False)
    client.force_login(eve)
    response = client.post(_url("event_register", event))
    assert response.status_code == 302 and response["Location"] == reverse("account_email")
    client.force_login(personas.dave)  # verified, no membership, public event open to guests
    assert client.post(_url("event_register", event)).status_code == 302
    with scope(network=personas.florence):
        assert list(Registration.objects.values_list("user", flat=True)) == [personas.dave.pk]


def test_it_counts_a_guest_only_after_the_emailed_confirmation(client, personas):
    event = make_event(personas.florence, visibility=V.PUBLIC, capacity=5)
    data = {
        "name": "Gianna Ospite",
        "email": "gianna@example.com",
        "company": "Acme",
        "privacy": "on",
    }
    response = client.post(_url("event_register_guest", event), data)
    assert response.status_code == 200
    again = client.post(_url("event_register_guest", event), data)  # same answer, no second row
    for answer in (response, again):
        assert "events/guest_check_email.html" in {t.name for t in answer.templates}
    # Still waiting for the link: the same page, and the link once more (the first may be lost).
    assert OutboxEmail.objects.filter(template="event-guest-confirm").count() == 2
    event.refresh_from_db()
    assert event.confirmed_count == 0
    email = OutboxEmail.objects.filter(template="event-guest-confirm").order_by("id").first()
    assert email is not None
    link = next(word for word in email.body_text.split() if "/guest/confirm/" in word)
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else link
    assert client.get(path).status_code == 200  # a GET only shows the button
    event.refresh_from_db()
    assert event.confirmed_count == 0
    assert client.post(path).status_code == 200
    client.post(path)  # a second press changes nothing
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert OutboxEmail.objects.filter(template="event-ticket", to="gianna@example.com").count() == 1


def test_it_refuses_guests_on_members_only_events(client, personas):
    event = make_event(personas.florence, visibility=V.NETWORK)
    data = {"name": "X", "email": "x@example.com", "privacy": "on"}
    assert client.post(_url("event_register_guest", event), data).status_code == 404


def test_it_refuses_a_forged_guest_link(client, personas):
    event = make_event(personas.florence, visibility=V.PUBLIC)
    url = reverse(
        "event_guest_confirm",
        kwargs={"network_slug": "florence", "event_id": event.pk, "token": "1:forged:sig"},
    )
    assert client.post(url).status_code == 400


def _crowd(network, event, count, start):
    with scope(network=network):
        for n in range(count):
            user = make_user(f"folla{start + n}@example.com")
            member(network, user, card=start + n)
            registration_register(event=event, user=user)


@pytest.mark.parametrize("size", [2, 30])
def test_it_keeps_the_event_page_within_budget(
    client, personas, size, django_assert_max_num_queries
):
    event = make_event(personas.florence, capacity=10)
    _crowd(personas.florence, event, size, start=100)
    client.force_login(personas.bob)
    client.get("/florence/")  # warm the session
    # event with organiser, its hosts, my registration; +1 for a waitlist position if any
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 4):
        assert client.get(_url("event_detail", event)).status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_it_keeps_the_events_list_flat(client, personas, size, django_assert_max_num_queries):
    for n in range(size):
        event = make_event(personas.florence, title=f"Evento {n}", capacity=5)
    _crowd(personas.florence, event, 3, start=200 + size)
    client.force_login(personas.bob)
    client.get("/florence/")
    # upcoming and past, each with its organiser
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 2):
        response = client.get("/florence/events/")
    assert len(response.context["upcoming"]) == size


@pytest.mark.parametrize("full", [False, True])
def test_it_registers_within_the_query_budget(client, personas, full):
    event = make_event(personas.florence, capacity=0 if full else 10)
    client.force_login(personas.bob)
    client.get("/florence/")
    with CaptureQueriesContext(connection) as captured:
        assert client.post(_url("event_register", event)).status_code == 302
    # The test runs inside a transaction, so the service's atomic block is a savepoint here;
    # in production it is the transaction itself. Savepoints are not the page's queries.
    statements = [q["sql"] for q in captured.captured_queries]
    own = [sql for sql in statements if "SAVEPOINT" not in sql]
    # the event; then the lock, the registration, the counter (if confirmed), the email
    assert len(own) <= REQUEST_OVERHEAD + 5, "\n".join(own)
    with scope(network=personas.florence):
        expected = Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED
        assert Registration.objects.get(event=event).status == expected


def test_it_refuses_to_lower_capacity_below_the_confirmed(client, personas):
    event = make_event(personas.florence, capacity=5)
    _crowd(personas.florence, event, 3, start=300)
    client.force_login(personas.alice)
    url = _url("manage_event_edit", event)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "cohosts"}
    for key in ("starts_at", "ends_at"):
        data[key] = (
            form[key].value().strftime("%Y-%m-%dT%H:%M")
            if hasattr(form[key].value(), "strftime")
            else form[key].value()
        )
    data["capacity"] = 2
    response = client.post(url, data)
    assert response.status_code == 200
    [error] = response.context["form"].errors["capacity"]
    assert error.startswith("3 ")  # "3 people already have a confirmed place…", in any language
    event.refresh_from_db()
    assert event.capacity == 5
    data["capacity"] = 3
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.capacity == 3
    assert mail.outbox == []


def test_it_limits_guest_registrations_per_address(client, personas):
    event = make_event(personas.florence, visibility=V.PUBLIC)
    data = {"name": "Bot", "email": "target@example.com", "privacy": "on"}
    answers = [client.post(_url("event_register_guest", event), data).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # One link per answered request, none for the refused one.
    assert OutboxEmail.objects.filter(to="target@example.com").count() == 3


def test_it_keeps_the_guests_cancel_link_working_until_the_event(client, personas):
    event = make_event(
        personas.florence, visibility=V.PUBLIC, starts_at=timezone.now() + timedelta(days=30)
    )
    data = {"name": "Gianna Ospite", "email": "gianna@example.com", "privacy": "on"}
    client.post(_url("event_register_guest", event), data)
    with scope(network=personas.florence):
        pending = Registration.objects.get(email="gianna@example.com")
        registration_confirm_guest(event=event, registration_id=pending.pk)
    ticket = OutboxEmail.objects.get(template="event-ticket", to="gianna@example.com")
    link = next(w for w in ticket.body_text.split() if "/guest/cancel/" in w)
    path = link.split("127.0.0.1:8000", 1)[-1]
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert client.post(path).status_code == 302
    with scope(network=personas.florence):
        assert Registration.objects.get(pk=pending.pk).status == Registration.Status.CANCELLED


def test_it_keeps_attendance_once_the_event_started(client, personas):
    event = make_event(personas.florence, capacity=1)
    with scope(network=personas.florence):
        registration_register(event=event, user=personas.bob)
        registration_register(event=event, user=personas.alice)  # waitlisted
    client.force_login(personas.bob)
    with time_machine.travel(event.starts_at + timedelta(minutes=5)):
        client.post(_url("event_cancel_registration", event))
    with scope(network=personas.florence):
        statuses = dict(Registration.objects.values_list("user__email", "status"))
    assert statuses == {"bob@example.com": "confirmed", "alice@example.com": "waitlisted"}
    assert not OutboxEmail.objects.filter(template="event-ticket", to="alice@example.com").exists()


def test_it_writes_the_guest_link_delay_the_rule_sets(client, personas, monkeypatch):
    monkeypatch.setattr(registrations, "GUEST_LINK_DAYS", 3)
    event = make_event(personas.florence, visibility=V.PUBLIC, capacity=5)
    data = {"name": "Gianna Ospite", "email": "gianna@example.com", "privacy": "on"}
    assert client.post(_url("event_register_guest", event), data).status_code == 200
    email = OutboxEmail.objects.get(template="event-guest-confirm")
    assert " 3 " in email.body_text
