"""Introductions end to end: made on a network's page, answered under /me/, mail from the outbox."""

import re
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Profile
from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import make_user, needs_postgres
from tests.members.factories import member
from ties.models import Connection, Introduction, Origin
from ties.services.connections import TiesError, connection_make
from ties.services.introductions import introduction_make


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def trio(personas):
    """Alice (FlorenceIN) knows Bob and Erica, two FlorenceIN members who do not know each other."""
    erica = make_user("erica@example.com", first_name="Erica", last_name="Esposito")
    member(personas.florence, erica, card=3)
    Profile.objects.create(
        user=erica, company="Esposito Srl", phone="+39 055 1234", show_phone=True, show_email=True
    )
    Profile.objects.create(
        user=personas.bob, linkedin_url="https://www.linkedin.com/in/bob", show_linkedin=True
    )
    connection_make(user_a=personas.alice, user_b=personas.bob, origin=Origin.ASK)
    connection_make(user_a=personas.alice, user_b=erica, origin=Origin.EVENT)
    personas.erica = erica
    return personas


NEW = reverse("ties_introduction_new", kwargs={"network_slug": "florence"})


def _url(name: str, introduction: Introduction) -> str:
    return reverse(name, kwargs={"introduction_id": introduction.pk})


def _introduce(client, p, first, second, note="Dovreste conoscervi") -> HttpResponse:
    client.force_login(p.alice)
    return client.post(NEW, {"first": first.pk, "second": second.pk, "note": note})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _introduction() -> Introduction:
    with scopes_disabled():
        return Introduction.objects.get()


def test_it_introduces_two_people_who_both_accept_and_get_each_others_details(client, trio):
    trio.erica.language = "it"
    trio.erica.save()
    trio.bob.language = "en"  # each reads in their own language
    trio.bob.save()
    response = _introduce(client, trio, trio.bob, trio.erica)
    assert response.status_code == 302
    introduction = _introduction()
    invitations = {e.to: e for e in OutboxEmail.objects.filter(template="ties-introduction")}
    assert set(invitations) == {"bob@example.com", "erica@example.com"}
    assert (
        "Alice Arnolfi would like you to meet Erica Esposito"
        in invitations["bob@example.com"].body_text
    )
    assert "Dovreste conoscervi" in invitations["bob@example.com"].body_text
    # Erica reads hers in Italian: the subject is not the English sentence.
    assert invitations["erica@example.com"].language == "it"
    assert "Ciao Erica," in invitations["erica@example.com"].body_text
    assert "Hello Bob," in invitations["bob@example.com"].body_text
    link = re.search(r"http\S+/me/introductions/\d+/", invitations["bob@example.com"].body_text)
    assert link is not None

    client.force_login(trio.bob)
    page = client.get(reverse("members:me")).content.decode()
    assert "An introduction from Alice Arnolfi" in page
    detail = client.get(_url("ties_introduction", introduction)).content.decode()
    assert "Alice Arnolfi would like you to meet Erica Esposito" in detail
    client.post(_url("ties_introduction_accept", introduction))
    assert not Connection.objects.filter(origin=Origin.INTRODUCTION).exists()
    assert not OutboxEmail.objects.filter(template="ties-introduction-accepted").exists()

    client.force_login(trio.erica)
    client.post(_url("ties_introduction_accept", introduction))
    connection = Connection.objects.get(origin=Origin.INTRODUCTION)
    assert {connection.user_low_id, connection.user_high_id} == {trio.bob.pk, trio.erica.pk}
    assert connection.network_id == trio.florence.pk
    details = {e.to: e for e in OutboxEmail.objects.filter(template="ties-introduction-accepted")}
    # Bob reads what Erica chose to show: her email and phone; she did not hide them.
    assert "erica@example.com" in details["bob@example.com"].body_text
    assert "+39 055 1234" in details["bob@example.com"].body_text
    # Erica reads Bob's LinkedIn, but not his email: he did not choose to show it.
    to_erica = details["erica@example.com"].body_text
    assert "https://www.linkedin.com/in/bob" in to_erica
    assert "bob@example.com" not in to_erica
    assert "Ciao Erica," in details["erica@example.com"].body_text
    assert "Hello Bob," in details["bob@example.com"].body_text


def test_it_says_only_not_now_when_one_side_declines(client, trio):
    _introduce(client, trio, trio.bob, trio.erica)
    introduction = _introduction()
    client.force_login(trio.erica)
    response = client.post(_url("ties_introduction_decline", introduction))
    assert "Noted: not now." in _messages(response)
    outbox_before = OutboxEmail.objects.count()
    client.force_login(trio.bob)
    client.post(_url("ties_introduction_accept", introduction))
    assert OutboxEmail.objects.count() == outbox_before  # nobody is told anything by email
    assert not Connection.objects.filter(origin=Origin.INTRODUCTION).exists()
    page = client.get(_url("ties_introduction", introduction)).content.decode()
    assert "Erica" in page  # whom he was introduced to, but nothing about her answer
    assert "declin" not in page.lower()
    # A later change of mind is not taken: the first answer stands.
    client.force_login(trio.erica)
    client.post(_url("ties_introduction_accept", introduction))
    introduction.refresh_from_db()
    assert introduction.second_reply == Introduction.Reply.DECLINED  # Erica, the later account
    assert introduction.accepted_at is None


def test_it_answers_double_clicks_once(client, trio):
    _introduce(client, trio, trio.bob, trio.erica)
    _introduce(client, trio, trio.erica, trio.bob)  # the same pair, the other way round
    assert OutboxEmail.objects.filter(template="ties-introduction").count() == 2
    introduction = _introduction()
    for user in (trio.bob, trio.erica):
        client.force_login(user)
        client.post(_url("ties_introduction_accept", introduction))
        client.post(_url("ties_introduction_accept", introduction))
    assert OutboxEmail.objects.filter(template="ties-introduction-accepted").count() == 2
    assert Connection.objects.filter(origin=Origin.INTRODUCTION).count() == 1


def test_it_refuses_to_introduce_people_the_introducer_is_not_connected_to(client, trio):
    Connection.objects.filter(user_low_id=min(trio.alice.pk, trio.erica.pk)).filter(
        user_high_id=max(trio.alice.pk, trio.erica.pk)
    ).delete()
    response = _introduce(client, trio, trio.bob, trio.erica)
    assert response.status_code == 200  # Erica is no longer a choice in the form
    with scopes_disabled():
        assert not Introduction.objects.exists()
    assert "Erica" not in response.content.decode()


def test_it_refuses_people_outside_the_network_and_hidden_ones(client, trio):
    connection_make(user_a=trio.alice, user_b=trio.charlie, origin=Origin.ASK)  # VenetoIN only
    response = _introduce(client, trio, trio.bob, trio.charlie)
    assert response.status_code == 200
    assert "Charlie" not in response.content.decode()
    Profile.objects.filter(user=trio.erica).update(visibility=Profile.Visibility.HIDDEN)
    response = _introduce(client, trio, trio.bob, trio.erica)
    assert response.status_code == 200
    assert "Erica" not in response.content.decode()
    with scopes_disabled():
        assert not Introduction.objects.exists()


def test_it_refuses_a_pair_already_connected_with_a_clear_message(client, trio):
    connection_make(user_a=trio.bob, user_b=trio.erica, origin=Origin.ASK)
    response = _introduce(client, trio, trio.bob, trio.erica)
    assert "These two are already connected." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("dave", 404), ("charlie", 404), ("bob", 200), (None, 302)]
)
def test_it_opens_the_form_to_the_networks_members_only(client, trio, who, status):
    if who:
        client.force_login(getattr(trio, who))
    assert client.get(NEW).status_code == status


def test_it_shows_an_introduction_only_to_its_two_sides(client, trio):
    _introduce(client, trio, trio.bob, trio.erica)
    introduction = _introduction()
    for outsider in (trio.alice, trio.charlie, trio.dave):
        client.force_login(outsider)
        assert client.get(_url("ties_introduction", introduction)).status_code == 404
        assert client.post(_url("ties_introduction_accept", introduction)).status_code == 404
    assert Introduction.Reply.PENDING == _introduction().first_reply == _introduction().second_reply
    client.force_login(trio.bob)
    assert client.get(_url("ties_introduction_accept", introduction)).status_code == 405
    unknown = reverse("ties_introduction", kwargs={"introduction_id": 99999})
    assert client.get(unknown).status_code == 404


def test_it_limits_how_many_introductions_a_member_makes(client, trio, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ties_introduction": "1/h/user"}
    others = []
    for n in range(2):
        person = make_user(f"altro{n}@example.com", first_name=f"Altro{n}")
        member(trio.florence, person, card=10 + n)
        connection_make(user_a=trio.alice, user_b=person, origin=Origin.ASK)
        others.append(person)
    assert _introduce(client, trio, trio.bob, others[0]).status_code == 302
    response = _introduce(client, trio, trio.bob, others[1])
    assert "You have made many introductions in a short time" in response.content.decode()
    with scopes_disabled():
        assert Introduction.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_connects_once_when_both_sides_accept_at_once(trio):
    client = Client()
    _introduce(client, trio, trio.bob, trio.erica)
    introduction = _introduction()
    url = _url("ties_introduction_accept", introduction)
    clients = []
    for user in (trio.bob, trio.erica) * 2:  # both sides, each clicking twice
        side = Client()
        side.force_login(user)
        clients.append(side)

    def click(side: Client) -> Callable[[], int]:
        return lambda: side.post(url).status_code

    assert race(*(click(side) for side in clients)) == [302] * 4
    assert Connection.objects.filter(origin=Origin.INTRODUCTION).count() == 1
    assert OutboxEmail.objects.filter(template="ties-introduction-accepted").count() == 2


def test_it_refuses_in_the_service_too_whatever_a_form_lets_through(trio):
    """The rules live in the service: no connection, another network, the introducer themself."""
    connection_make(user_a=trio.alice, user_b=trio.charlie, origin=Origin.ASK)
    stranger = make_user("stranger@example.com", first_name="Stefano")
    member(trio.florence, stranger, card=9)
    cases = [
        (trio.bob, stranger, "You can introduce only people you are connected to."),
        (trio.bob, trio.charlie, "You can introduce only members of this network."),
        (trio.bob, trio.alice, "Choose two other people to introduce to each other."),
        (trio.bob, trio.bob, "Choose two other people to introduce to each other."),
    ]
    with scopes_disabled():
        for first, second, message in cases:
            with pytest.raises(TiesError, match=message):
                introduction_make(
                    network=trio.florence, introducer=trio.alice, first=first, second=second,
                    note="",
                )  # fmt: skip
        assert not Introduction.objects.exists()
