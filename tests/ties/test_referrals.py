"""Referrals, end to end through the test client, with mail from the outbox."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Profile
from networks.models import Membership
from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import make_user, needs_postgres
from tests.members.factories import member
from ties.models import Connection, Origin, Referral
from ties.services.connections import TiesError
from ties.services.referrals import referral_create, referral_move


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages in English, so the assertions read the sentences the code writes."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _new(slug: str = "florence") -> str:
    return reverse("ties_referral_new", kwargs={"network_slug": slug})


def _page(referral: Referral, action: str = "", slug: str = "florence") -> str:
    name = f"ties_referral_{action}" if action else "ties_referral"
    return reverse(name, kwargs={"network_slug": slug, "referral_id": referral.pk})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _refer(personas, *, giver=None, receiver=None, **fields) -> Referral:
    values = {"what": "Furniture for new offices", "for_whom": "Rossi srl"} | fields
    with scopes_disabled():
        return referral_create(
            network=personas.florence,
            giver=giver or personas.alice,
            receiver_id=(receiver or personas.bob).pk,
            **values,
        )


def _status(referral: Referral) -> Referral:
    with scopes_disabled():
        return Referral.objects.get(pk=referral.pk)


def test_it_passes_business_and_follows_it_to_won(client, personas):
    personas.bob.language = "it"
    personas.bob.save()
    personas.alice.language = "en"
    personas.alice.save()
    client.force_login(personas.alice)
    response = client.post(
        _new(),
        {"receiver": personas.bob.pk, "what": "Arredi per uffici nuovi", "contact": "",
         "for_whom": "Studio Rossi", "estimated_value": "12500.50"},
    )  # fmt: skip
    with scopes_disabled():
        referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(referral)
    assert (referral.giver, referral.receiver, referral.status) == (
        personas.alice, personas.bob, "passed",
    )  # fmt: skip
    assert referral.estimated_value == Decimal("12500.50")
    email = OutboxEmail.objects.get(template="ties-referral-new")
    assert (email.to, email.language) == ("bob@example.com", "it")
    # Bob's Italian, though Alice's pages are in English.
    assert "una federazione di reti imprenditoriali regionali" in email.body_text
    assert "Alice Arnolfi" in email.subject
    assert "Arredi per uffici nuovi" in email.body_text and "Studio Rossi" in email.body_text
    assert f"/florence/referrals/{referral.pk}/" in email.body_text

    page = client.get(_page(referral)).content.decode()
    assert "Studio Rossi" in page and "How is it going?" not in page  # the giver only reads

    client.force_login(personas.bob)
    for status in ("contacted", "meeting"):
        client.post(_page(referral, "move"), {"status": status})
        assert _status(referral).status == status
    assert Connection.objects.count() == 0
    response = client.post(_page(referral, "move"), {"status": "won", "won_value": "9800"})
    assert response.status_code == 302
    referral = _status(referral)
    assert (referral.status, referral.won_value) == ("won", Decimal("9800"))
    assert referral.closed_on is not None
    thanks = OutboxEmail.objects.get(template="ties-referral-won")
    assert (thanks.to, thanks.language) == ("alice@example.com", "en")
    assert "Bob Bellini closed the business you passed on" in thanks.body_text
    assert "9,800.00" in thanks.body_text and "Thank you" in thanks.subject
    connection = Connection.objects.get()
    assert connection.origin == Origin.REFERRAL and connection.network == personas.florence
    assert {connection.user_low, connection.user_high} == {personas.alice, personas.bob}
    # Closed: no more form.
    assert "How is it going?" not in client.get(_page(referral)).content.decode()


def test_it_moves_only_forward_and_only_for_the_receiver(client, personas):
    referral = _refer(personas)
    client.force_login(personas.alice)  # the giver has no form, and a POST is a 404
    assert client.post(_page(referral, "move"), {"status": "contacted"}).status_code == 404
    client.force_login(personas.bob)
    client.post(_page(referral, "move"), {"status": "meeting"})  # skipping a step is forward
    response = client.post(_page(referral, "move"), {"status": "contacted"})
    assert "A referral only moves forward." in _messages(response)
    assert _status(referral).status == "meeting"
    client.post(_page(referral, "move"), {"status": "lost"})
    response = client.post(_page(referral, "move"), {"status": "won", "won_value": "5"})
    assert "A referral only moves forward." in _messages(response)
    referral = _status(referral)
    assert (referral.status, referral.won_value) == ("lost", None)
    assert OutboxEmail.objects.filter(template="ties-referral-won").count() == 0
    assert Connection.objects.count() == 0
    with pytest.raises(TiesError):
        referral_move(referral=referral, user=personas.alice, status="won", won_value=Decimal(1))


def test_it_takes_a_double_click_as_one(client, personas):
    client.force_login(personas.alice)
    data = {"receiver": personas.bob.pk, "what": "Offices", "for_whom": "Rossi"}
    for _ in range(2):
        assert client.post(_new(), data).status_code == 302
    with scopes_disabled():
        referral = Referral.objects.get()
    assert OutboxEmail.objects.filter(template="ties-referral-new").count() == 1
    client.force_login(personas.bob)
    for _ in range(2):
        response = client.post(_page(referral, "move"), {"status": "won", "won_value": "100"})
        assert response.status_code == 302
    assert _status(referral).won_value == Decimal("100")
    assert OutboxEmail.objects.filter(template="ties-referral-won").count() == 1
    assert Connection.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": "won"}, "Say the value of the business closed."),
        ({"status": "won", "won_value": "-1"}, "greater than or equal to 0"),
        ({"status": "won", "won_value": "100000000"}, "less than or equal to"),
        ({"status": "won", "won_value": "1e400"}, "no more than 12 digits"),
        ({"status": "won", "won_value": "NaN"}, "Enter a number."),
        ({"status": "passed"}, "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_outcome(client, personas, data, error):
    referral = _refer(personas)
    client.force_login(personas.bob)
    response = client.post(_page(referral, "move"), data)
    assert response.status_code == 302
    assert any(error in message for message in _messages(response)), _messages(response)
    assert _status(referral).status == "passed"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"what": "X", "for_whom": ""}, "Choose a member or write a name."),
        ({"what": "X", "for_whom": "R", "estimated_value": "-5"}, "greater than or equal to 0"),
        ({"what": "X", "for_whom": "R", "estimated_value": "100000000"}, "less than or equal to"),
        ({"what": "X", "for_whom": "R", "estimated_value": "²"}, "Enter a number."),
        ({"what": "", "for_whom": "R"}, "This field is required."),
    ],
)
def test_it_refuses_a_bad_referral(client, personas, data, error):
    client.force_login(personas.alice)
    response = client.post(_new(), {"receiver": personas.bob.pk} | data)
    assert response.status_code == 200
    assert error in response.content.decode()
    with scopes_disabled():
        assert Referral.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_it_lets_a_member_refer_to_a_contact_inside_clubin(client, personas):
    carla = make_user("carla@example.com", first_name="Carla", last_name="Conti")
    member(personas.florence, carla, card=7)
    client.force_login(personas.alice)
    data = {"receiver": personas.bob.pk, "what": "Offices", "contact": carla.pk}
    assert client.post(_new(), data).status_code == 302
    with scopes_disabled():
        referral = Referral.objects.get()
    assert (referral.contact, referral.for_whom) == (carla, "")
    assert "Carla Conti" in OutboxEmail.objects.get().body_text
    # The contact cannot be the receiver.
    response = client.post(_new(), {"receiver": personas.bob.pk, "what": "Y",
                                     "contact": personas.bob.pk})  # fmt: skip
    assert "The contact cannot be the member you pass it to." in response.content.decode()


def test_it_keeps_referrals_inside_a_shared_network(client, personas):
    client.force_login(personas.alice)
    # Charlie is in VenetoIN only: not a choice in FlorenceIN, and refused if forced.
    assert "Charlie Cortese" not in client.get(_new()).content.decode()
    response = client.post(_new(), {"receiver": personas.charlie.pk, "what": "X", "for_whom": "R"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert client.get(_new("veneto")).status_code == 404  # not Alice's network
    with scopes_disabled(), pytest.raises(TiesError):
        referral_create(network=personas.florence, giver=personas.alice,
                        receiver_id=personas.charlie.pk, what="X", for_whom="R")  # fmt: skip
    with scopes_disabled():
        assert Referral.objects.count() == 0


def test_it_hides_a_hidden_member_from_the_choice_of_receiver(client, personas):
    Profile.objects.update_or_create(user=personas.bob, defaults={"visibility": "hidden"})
    client.force_login(personas.alice)
    assert "Bob Bellini" not in client.get(_new()).content.decode()
    response = client.post(_new(), {"receiver": personas.bob.pk, "what": "X", "for_whom": "R"})
    assert "Select a valid choice." in response.content.decode()
    with scopes_disabled(), pytest.raises(TiesError):
        referral_create(network=personas.florence, giver=personas.alice,
                        receiver_id=personas.bob.pk, what="X", for_whom="R")  # fmt: skip
    # A hidden member may still pass business to others.
    client.force_login(personas.bob)
    data = {"receiver": personas.alice.pk, "what": "X", "for_whom": "R"}
    assert client.post(_new(), data).status_code == 302


def test_it_shows_a_referral_to_its_two_sides_only(client, personas):
    referral = _refer(personas)
    carla = make_user("carla@example.com", first_name="Carla")
    member(personas.florence, carla, card=7)
    client.force_login(carla)  # same network, not a side
    assert client.get(_page(referral)).status_code == 404
    assert client.post(_page(referral, "move"), {"status": "contacted"}).status_code == 404
    client.force_login(personas.charlie)  # another network's coordinator
    assert client.get(_page(referral)).status_code == 404
    assert client.get(_page(referral, slug="veneto")).status_code == 404
    client.force_login(personas.dave)  # an account without membership
    assert client.get(_page(referral)).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(_page(referral))["Location"]
    assert "/accounts/login/" in client.get(reverse("ties_my_referrals"))["Location"]
    with scopes_disabled():
        Membership.objects.filter(user=personas.bob).update(status="lapsed")
    client.force_login(personas.bob)  # known to the network, not active: 403
    assert client.get(_page(referral)).status_code == 403
    assert client.post(_page(referral, "move"), {"status": "contacted"}).status_code == 403
    assert _status(referral).status == "passed"


def test_it_shows_my_referrals_and_the_business_they_closed(client, personas):
    carla = make_user("carla@example.com", first_name="Carla", last_name="Conti")
    member(personas.florence, carla, card=7)
    won = _refer(personas, what="Won one")
    referral_move(referral=won, user=personas.bob, status="won", won_value=Decimal("1000"))
    lost = _refer(personas, what="Lost one")
    referral_move(referral=lost, user=personas.bob, status="lost")
    other = _refer(personas, what="Carla's win", giver=carla)
    referral_move(referral=other, user=personas.bob, status="won", won_value=Decimal("250.5"))
    back = _refer(personas, what="Bob gives back", giver=personas.bob, receiver=personas.alice)
    referral_move(referral=back, user=personas.alice, status="won", won_value=Decimal("40"))
    _refer(personas, what="Estimated", giver=carla, receiver=personas.alice,
           estimated_value=Decimal("77"))  # fmt: skip

    client.force_login(personas.alice)
    assert reverse("ties_my_referrals") in client.get(reverse("members:me")).content.decode()
    page = client.get(reverse("ties_my_referrals")).content.decode()
    helped = page.index("Business I helped close")
    closed = page.index("Business I closed")
    assert "1,000.00 €" in page[helped:closed]  # Alice gave the 1000 one; the lost counts nothing
    assert "40.00 €" in page[closed : page.index("Referrals I gave")]
    given, received = page.index("Referrals I gave"), page.index("Referrals I received")
    assert "Won one" in page[given:received] and "Lost one" in page[given:received]
    assert "Bob gives back" in page[received:] and "Estimated" in page[received:]
    assert "Carla&#x27;s win" not in page  # between Carla and Bob

    client.force_login(personas.bob)
    page = client.get(reverse("ties_my_referrals")).content.decode()
    assert "40.00 €" in page[: page.index("Business I closed")]
    assert "1,250.50 €" in page  # Bob closed 1000 + 250.50


def test_it_writes_the_figures_in_italian_for_an_italian_member(client, personas):
    won = _refer(personas)
    referral_move(referral=won, user=personas.bob, status="won", won_value=Decimal("1234.5"))
    client.force_login(personas.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"
    page = client.get(reverse("ties_my_referrals")).content.decode()
    assert "1.234,50 €" in page


def test_it_limits_how_often_a_member_passes_referrals(client, personas, settings):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"ties_referral": "2/h/user"}
    client.force_login(personas.alice)
    statuses = [
        client.post(_new(), {"receiver": personas.bob.pk, "what": f"X{n}", "for_whom": "R"})
        for n in range(3)
    ]
    assert [r.status_code for r in statuses] == [302, 302, 200]
    assert "Try again in an hour." in statuses[2].content.decode()
    with scopes_disabled():
        assert Referral.objects.count() == 2


# A signed-in page outside a network: the session, the user and the menu's "manage" entries.
ME_OVERHEAD = 3


@pytest.mark.parametrize("size", [5, 50])
def test_it_reads_my_referrals_in_a_fixed_number_of_queries(
    client, personas, size, django_assert_num_queries
):
    carla = make_user("carla@example.com", first_name="Carla")
    member(personas.florence, carla, card=7)
    for n in range(size):
        giver, receiver = (personas.alice, personas.bob) if n % 2 else (carla, personas.alice)
        contact_id = carla.pk if n % 3 == 0 and giver != carla else None
        referral = _refer(
            personas, giver=giver, receiver=receiver, what=f"Lead {n}", contact_id=contact_id
        )
        if n % 4 == 0:
            referral_move(referral=referral, user=receiver, status="won", won_value=Decimal(n))
    client.force_login(personas.alice)
    # The overhead, then the two sums, the referrals given, the referrals received.
    with django_assert_num_queries(ME_OVERHEAD + 3):
        response = client.get(reverse("ties_my_referrals"))
    assert response.content.decode().count("Lead ") == size


# Simultaneous clicks on PostgreSQL, with real threads and connections.


def _tabs(user, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _click(client: Client, url: str, data: dict) -> Callable[[], int]:
    return lambda: client.post(url, data).status_code


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_it_passes_one_referral_under_simultaneous_clicks(personas):
    url = reverse("ties_referral_new", kwargs={"network_slug": "florence"})
    data = {"receiver": personas.bob.pk, "what": "Uffici nuovi", "for_whom": "Rossi"}

    results = race(*(_click(client, url, data) for client in _tabs(personas.alice, 5)))

    assert results == [302] * 5  # no click got an error page
    with scopes_disabled():
        assert Referral.objects.count() == 1
    assert OutboxEmail.objects.filter(template="ties-referral-new").count() == 1


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_it_wins_once_under_simultaneous_clicks(personas):
    with scopes_disabled():
        referral = Referral.objects.create(
            network=personas.florence, giver=personas.alice, receiver=personas.bob,
            what="Uffici nuovi", for_whom="Rossi", status="meeting",
        )  # fmt: skip
    url = _page(referral, "move")
    data = {"status": "won", "won_value": "500"}

    results = race(*(_click(client, url, data) for client in _tabs(personas.bob, 6)))

    assert results == [302] * 6  # no click got an error page
    assert _status(referral).won_value == Decimal("500")
    assert OutboxEmail.objects.filter(template="ties-referral-won").count() == 1
    assert Connection.objects.count() == 1
