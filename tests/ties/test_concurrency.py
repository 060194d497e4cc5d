"""Double clicks and simultaneous requests on PostgreSQL, with real threads and connections."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import needs_postgres
from ties.models import Answer, Connection, Origin, Post
from ties.services.connections import connection_make

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def test_it_answers_once_under_simultaneous_clicks(personas):
    with scopes_disabled():
        post = Post.objects.create(
            network=personas.florence,
            author=personas.alice,
            title="Un notaio a Padova",
            expires_on=timezone.localdate() + timedelta(days=10),
        )
    url = reverse("ties_post_answer", kwargs={"network_slug": "florence", "post_id": post.pk})
    clients = []
    for _ in range(6):  # six tabs of Bob's, one click each at the same instant
        client = Client()
        client.force_login(personas.bob)
        clients.append(client)

    def click(client: Client) -> Callable[[], int]:
        return lambda: client.post(url, {"kind": "help", "note": "Io"}).status_code

    results = race(*(click(client) for client in clients))

    assert results == [302] * 6  # no click got an error page
    assert Answer.objects.filter(post=post, author=personas.bob).count() == 1
    assert OutboxEmail.objects.filter(template="ties-answer").count() == 1


def test_it_stores_one_connection_when_both_sides_connect_at_once(personas):
    alice, bob = personas.alice, personas.bob
    makes = [
        lambda: connection_make(user_a=alice, user_b=bob, origin=Origin.EVENT),
        lambda: connection_make(user_a=bob, user_b=alice, origin=Origin.EVENT),
    ] * 3

    results = race(*makes)

    rows = [result for result in results if isinstance(result, Connection)]
    assert len(rows) == len(results), results  # no caller got an error
    assert len({row.pk for row in rows}) == 1  # every caller got the same row
    assert Connection.objects.count() == 1
