"""A network's public page: its next public events, what membership gives, and the form that
writes to its coordinators without showing their addresses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from events.models import Event
from networks.models import Membership
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db

PAGE = "/florence/"
MESSAGE = {
    "name": "Giulia Verdi",
    "email": "giulia@example.com",
    "message": "Quando è la prossima serata aperta agli ospiti?",
    "website": "",
}


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _public(network, days: int, **fields) -> Event:
    starts = timezone.now() + timedelta(days=days)
    return make_event(network, starts_at=starts, visibility=Event.Visibility.PUBLIC, **fields)


# --- Upcoming events ---------------------------------------------------------------------------
def test_it_shows_the_next_three_public_events_of_this_network_only(client, personas):
    for day in (9, 3, 5, 7):
        _public(personas.florence, day, title=f"Serata del giorno {day}")
    _public(personas.veneto, 1, title="Serata veneta")
    make_event(personas.florence, title="Solo soci")  # members only
    make_event(personas.florence, title="Bozza", publish=False, visibility="public")
    past = timezone.now() - timedelta(days=3)
    make_event(personas.florence, title="Passata", starts_at=past, visibility="public")
    body = client.get(PAGE).content.decode()
    shown = [f"Serata del giorno {day}" for day in (3, 5, 7)]
    assert [body.index(title) for title in shown] == sorted(body.index(t) for t in shown)
    for hidden in ("Serata del giorno 9", "Serata veneta", "Solo soci", "Bozza", "Passata"):
        assert hidden not in body
    assert 'href="/florence/events/"' in body


def test_it_shows_an_event_cohosted_with_another_network(client, personas):
    _public(personas.veneto, 2, title="Serata congiunta", cohosts=[personas.florence])
    body = client.get(PAGE).content.decode()
    assert "Serata congiunta" in body and "Organised by VenetoIN" in body
    with scopes_disabled():
        event = Event.objects.get()
    assert f'href="/florence/events/{event.pk}/"' in body


def test_it_says_when_no_public_event_is_announced(client, personas):
    assert "No public event is announced yet." in client.get(PAGE).content.decode()


@pytest.mark.parametrize("events", [1, 8])
def test_it_keeps_the_page_flat_however_many_events(
    client, personas, events, django_assert_max_num_queries
):
    for day in range(events):
        _public(personas.florence, day + 1, cohosts=[personas.veneto])
    # the network, its member count, its coordinators, its next public events
    with django_assert_max_num_queries(4):
        assert client.get(PAGE).status_code == 200


# --- What membership gives ---------------------------------------------------------------------
def test_it_shows_a_general_text_until_the_coordinators_write_their_own(client, personas):
    assert "A membership card, valid in every network" in client.get(PAGE).content.decode()
    personas.florence.membership_benefits = "Una cena al mese <b>con</b> i soci."
    personas.florence.save()
    body = client.get(PAGE).content.decode()
    assert "Una cena al mese &lt;b&gt;con&lt;/b&gt; i soci." in body
    assert "A membership card, valid in every network" not in body


def test_it_lets_a_coordinator_edit_what_membership_gives(client, personas):
    client.force_login(personas.alice)
    url = reverse("manage_settings", kwargs={"network_slug": "florence"})
    response = client.post(url, {"form": "public", "membership_benefits": "  Cene e affari.  "})
    assert response.status_code == 302
    personas.florence.refresh_from_db()
    assert personas.florence.membership_benefits == "Cene e affari."
    assert personas.florence.intake_open  # the other settings stay as they were
    too_long = client.post(url, {"form": "public", "membership_benefits": "x" * 2001})
    assert too_long.status_code == 200 and too_long.context["public"].errors
    personas.florence.refresh_from_db()
    assert personas.florence.membership_benefits == "Cene e affari."


def test_it_leaves_what_membership_gives_to_that_networks_coordinators(client, personas):
    url = reverse("manage_settings", kwargs={"network_slug": "florence"})
    post = {"form": "public", "membership_benefits": "Altro"}
    client.force_login(personas.bob)
    assert client.post(url, post).status_code == 403
    client.force_login(personas.charlie)
    assert client.post(url, post).status_code == 404
    personas.florence.refresh_from_db()
    assert personas.florence.membership_benefits == ""


# --- Writing to the coordinators --------------------------------------------------------------
def _second_coordinator(network, language: str):
    person = make_user("paola@example.com", first_name="Paola", last_name="Pieri")
    person.language = language
    person.save()
    with scopes_disabled():
        Membership.objects.create(network=network, user=person, role="coordinator", card_number=9)
    return person


def test_it_emails_each_coordinator_in_their_language_with_the_sender_to_reply_to(
    client, personas, django_capture_on_commit_callbacks
):
    personas.alice.language = "en"
    personas.alice.save()
    _second_coordinator(personas.florence, "it")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, MESSAGE)
    assert response.status_code == 302 and response["Location"] == PAGE
    emails = {e.to: e for e in OutboxEmail.objects.filter(template="network-contact")}
    assert set(emails) == {"alice@example.com", "paola@example.com"}  # not Charlie, not Bob
    for email in emails.values():
        assert email.reply_to == "giulia@example.com" and email.network_id == personas.florence.pk
        assert MESSAGE["message"] in email.body_text and "Giulia Verdi" in email.subject
        assert email.status == OutboxEmail.Status.SENT
    assert emails["alice@example.com"].language == "en"
    assert "wrote to the coordinators of FlorenceIN" in emails["alice@example.com"].subject
    assert emails["paola@example.com"].language == "it"
    followed = client.get(PAGE).content.decode()
    assert "the coordinators received your message" in followed


def test_it_never_shows_the_coordinators_addresses(client, personas):
    client.force_login(personas.dave)
    for response in (client.get(PAGE), client.post(PAGE, {**MESSAGE, "message": "short"})):
        body = response.content.decode()
        assert "alice@example.com" not in body
        assert "Alice Arnolfi" in body  # named, as before
    response = client.post(PAGE, MESSAGE, follow=True)
    assert "alice@example.com" not in response.content.decode()


def test_it_sends_the_same_message_once(client, personas):
    client.post(PAGE, MESSAGE)
    client.post(PAGE, MESSAGE)  # a double click or a reload
    assert OutboxEmail.objects.filter(template="network-contact").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 151),
        ("email", "not an address"),
        ("email", "a" * 250 + "@example.com"),
        ("message", ""),
        ("message", "Ciao"),
        ("message", "x" * 3001),
    ],
)
def test_it_answers_bad_input_with_a_form_error(client, personas, field, value):
    response = client.post(PAGE, {**MESSAGE, field: value})
    assert response.status_code == 200
    assert response.context["contact_form"].errors[field]
    assert not OutboxEmail.objects.exists()


def test_it_survives_missing_and_odd_fields(client, personas):
    assert client.post(PAGE, {}).status_code == 200
    weird = {"name": ["a", "b"], "email": "\x00@example.com", "message": "\x00" * 20}
    assert client.post(PAGE, weird).status_code == 200
    assert not OutboxEmail.objects.exists()


def test_it_thanks_a_bot_that_fills_the_hidden_field_and_sends_nothing(client, personas):
    response = client.post(PAGE, {**MESSAGE, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not OutboxEmail.objects.exists()


def test_it_limits_how_often_one_sender_writes(client, personas):
    for n in range(3):
        assert client.post(PAGE, {**MESSAGE, "message": f"{MESSAGE['message']} {n}"}).status_code
    response = client.post(PAGE, {**MESSAGE, "message": "Una quarta domanda, per favore."})
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert OutboxEmail.objects.filter(template="network-contact").count() == 3
    # Another network's coordinators are counted apart.
    assert client.post("/veneto/", MESSAGE).status_code == 302


def test_it_offers_no_form_where_nobody_coordinates(client, personas):
    with scope(network=personas.veneto):
        Membership.objects.filter(user=personas.charlie).update(role="member")
    assert 'id="contact"' not in client.get("/veneto/").content.decode()
    assert 'id="contact"' in client.get(PAGE).content.decode()
    # A post all the same (an old tab) is thanked and sends nothing: nobody to write to.
    assert client.post("/veneto/", MESSAGE).status_code == 302
    assert not OutboxEmail.objects.exists()


def test_it_answers_404_for_a_network_that_does_not_exist(client, personas):
    assert client.post("/atlantis/", MESSAGE).status_code == 404


# --- The sponsor's hint on the application form -----------------------------------------------
def test_it_gives_a_sponsor_example_in_each_networks_card_format(client, personas):
    personas.veneto.card_prefix = "VE"
    personas.veneto.save()
    client.force_login(personas.dave)
    florence = client.get(reverse("apply", kwargs={"network_slug": "florence"}))
    veneto = client.get(reverse("apply", kwargs={"network_slug": "veneto"}))
    assert "for example FL-000012." in florence.content.decode()
    assert "for example VE-000012." in veneto.content.decode()
    assert "FI-000012" not in florence.content.decode() + veneto.content.decode()
