"""My connections on /me/: how each began and when; either side removes one, silently."""

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutboxEmail
from tests.conftest import make_user
from ties.models import Connection, Origin
from ties.services.connections import TiesError, connection_make


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _remove_url(connection: Connection) -> str:
    return reverse("ties_connection_remove", kwargs={"connection_id": connection.pk})


def test_it_stores_a_pair_once_whichever_side_connects_first(personas):
    first = connection_make(user_a=personas.bob, user_b=personas.alice, origin=Origin.ASK)
    again = connection_make(user_a=personas.alice, user_b=personas.bob, origin=Origin.EVENT)
    assert again.pk == first.pk and again.origin == Origin.ASK  # how it began is kept
    assert first.user_low_id < first.user_high_id
    with pytest.raises(TiesError):
        connection_make(user_a=personas.bob, user_b=personas.bob, origin=Origin.ASK)


def test_it_lists_my_connections_with_how_and_when_they_began(client, personas):
    connection_make(user_a=personas.bob, user_b=personas.alice, origin=Origin.ASK)
    connection_make(user_a=personas.charlie, user_b=personas.bob, origin=Origin.REFERRAL)
    connection_make(user_a=personas.alice, user_b=personas.charlie, origin=Origin.EVENT)
    client.force_login(personas.bob)
    page = client.get(reverse("members:me")).content.decode()
    assert "My connections" in page
    assert "Alice Arnolfi" in page and "an answered ask" in page
    assert "Charlie Cortese" in page and "referral" in page
    assert "met at an event" not in page  # Alice and Charlie's, not Bob's


def test_it_removes_a_connection_for_either_side_and_tells_nobody(client, personas):
    connection = connection_make(user_a=personas.bob, user_b=personas.alice, origin=Origin.ASK)
    client.force_login(personas.charlie)  # not a side: nothing happens, and nothing is revealed
    response = client.post(_remove_url(connection))
    assert response.status_code == 302
    assert Connection.objects.filter(pk=connection.pk).exists()
    client.force_login(personas.alice)
    assert client.post(_remove_url(connection)).status_code == 302
    assert not Connection.objects.exists()
    assert OutboxEmail.objects.count() == 0
    client.force_login(personas.bob)
    assert "Alice Arnolfi" not in client.get(reverse("members:me")).content.decode()
    # Removing it again (a second click) is the same quiet redirect.
    assert client.post(_remove_url(connection)).status_code == 302


def test_it_asks_for_a_login_and_a_post_to_remove(client, personas):
    connection = connection_make(user_a=personas.bob, user_b=personas.alice, origin=Origin.ASK)
    assert "/accounts/login/" in client.post(_remove_url(connection))["Location"]
    client.force_login(personas.bob)
    assert client.get(_remove_url(connection)).status_code == 405
    assert Connection.objects.count() == 1


def _me_queries(client) -> int:
    with CaptureQueriesContext(db) as queries:
        assert client.get(reverse("members:me")).status_code == 200
    return len(queries)


def test_it_reads_my_connections_in_a_fixed_number_of_queries(client, personas):
    client.force_login(personas.bob)
    counts = []
    for size in (5, 50):
        for n in range(size - Connection.objects.count()):
            other = make_user(f"contact{size}-{n}@example.com", first_name=f"C{n}")
            connection_make(user_a=personas.bob, user_b=other, origin=Origin.ONE_TO_ONE)
        counts.append(_me_queries(client))
    assert Connection.objects.count() == 50
    assert counts[0] == counts[1]
