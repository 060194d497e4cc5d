"""The board of asks and offers, end to end through the test client, with mail from the outbox."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import Profile
from outbox.models import OutboxEmail
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.members.factories import member
from ties.models import Answer, Connection, Origin, Post
from ties.services.board import post_create


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages in English, so the assertions read the sentences the code writes."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _in(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _board(slug: str) -> str:
    return reverse("ties_board", kwargs={"network_slug": slug})


def _post_page(slug: str, post: Post, action: str = "") -> str:
    name = f"ties_post_{action}" if action else "ties_post"
    return reverse(name, kwargs={"network_slug": slug, "post_id": post.pk})


def _ask(personas, *, author=None, network=None, reach="network", **fields) -> Post:
    values: dict[str, Any] = {
        "kind": "ask",
        "title": "A notary in Padova who knows start-ups",
        "body": "",
        "sector": "legal",
        "city": "Padova",
        "expires_on": timezone.localdate() + timedelta(days=30),
    }
    with scopes_disabled():
        return post_create(
            network=network or personas.florence,
            author=author or personas.alice,
            reach=reach,
            **(values | fields),
        )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_runs_an_ask_from_post_to_helpful_answer(client, personas):
    personas.alice.language = "it"
    personas.alice.save()
    client.force_login(personas.alice)
    response = client.post(
        reverse("ties_post_new", kwargs={"network_slug": "florence"}),
        {
            "kind": "ask", "reach": "network", "title": "Un fornitore di imballaggi",
            "body": "Per un marchio alimentare", "sector": "food", "city": "Prato",
            "expires_on": _in(20),
        },
    )  # fmt: skip
    with scopes_disabled():
        post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _post_page("florence", post)
    assert "Un fornitore di imballaggi" in client.get(_board("florence")).content.decode()

    client.force_login(personas.bob)
    response = client.post(
        _post_page("florence", post, "answer"), {"kind": "introduce", "note": "Conosco Rossi"}
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.author, answer.kind, answer.note) == (personas.bob, "introduce", "Conosco Rossi")
    email = OutboxEmail.objects.get(template="ties-answer")
    assert email.to == "alice@example.com"
    assert email.language == "it"
    assert "Un fornitore di imballaggi" in email.subject
    # Written in Alice's Italian, though Bob's pages are in English.
    assert "una federazione di reti imprenditoriali regionali" in email.body_text
    assert "Conosco Rossi" in email.body_text
    assert f"/florence/board/{post.pk}/" in email.body_text
    # Bob sees his answer, not the others' names; no close button is his.
    page = client.get(_post_page("florence", post)).content.decode()
    assert "You answered" in page and "Close this post" not in page
    assert "new answer" not in client.get(reverse("members:me")).content.decode()  # not his

    client.force_login(personas.alice)
    assert (
        "1 new answer to your asks and offers" in client.get(reverse("members:me")).content.decode()
    )
    page = client.get(_post_page("florence", post)).content.decode()
    assert "bob@example.com" in page and "Conosco Rossi" in page
    # Opening the post read the answer: the badge is gone.
    assert "new answer" not in client.get(reverse("members:me")).content.decode()

    response = client.post(_post_page("florence", post, "close"), {"helpful_answer": answer.pk})
    assert response.status_code == 302
    with scopes_disabled():
        post.refresh_from_db()
    assert (post.status, post.helpful_answer) == ("closed", answer)
    connection = Connection.objects.get()
    assert connection.origin == Origin.ASK
    assert {connection.user_low, connection.user_high} == {personas.alice, personas.bob}
    assert "Un fornitore di imballaggi" not in client.get(_board("florence")).content.decode()
    # Closing twice changes nothing; answering a closed post is refused.
    client.post(_post_page("florence", post, "close"), {"helpful_answer": ""})
    with scopes_disabled():
        post.refresh_from_db()
    assert post.helpful_answer == answer


def test_it_writes_the_answer_email_in_the_authors_language(client, personas):
    personas.alice.language = "en"
    personas.alice.save()
    post = _ask(personas)
    client.force_login(personas.bob)
    client.post(_post_page("florence", post, "answer"), {"kind": "help", "note": ""})
    email = OutboxEmail.objects.get(template="ties-answer")
    assert email.language == "en"
    assert "Bob Bellini can help you with" in email.body_text
    assert "a federation of regional business networks" in email.body_text


def test_it_keeps_a_network_ask_inside_its_network(client, personas):
    post = _ask(personas, reach="network")
    client.force_login(personas.charlie)  # coordinator of VenetoIN
    assert client.get(_board("florence")).status_code == 404
    assert client.get(_post_page("florence", post)).status_code == 404
    assert post.title not in client.get(_board("veneto")).content.decode()
    assert client.get(_post_page("veneto", post)).status_code == 404
    response = client.post(_post_page("veneto", post, "answer"), {"kind": "help"})
    assert response.status_code == 404
    assert Answer.objects.count() == 0


def test_it_shows_a_federation_ask_on_every_board_and_takes_answers_from_there(client, personas):
    post = _ask(personas, reach="federation")
    client.force_login(personas.charlie)
    assert post.title in client.get(_board("veneto")).content.decode()
    assert client.get(_post_page("veneto", post)).status_code == 200
    response = client.post(_post_page("veneto", post, "answer"), {"kind": "help", "note": "Io"})
    assert response.status_code == 302
    assert Answer.objects.get().author == personas.charlie
    assert OutboxEmail.objects.filter(template="ties-answer", to="alice@example.com").count() == 1
    # Still not FlorenceIN's own pages: Charlie has no membership there.
    assert client.get(_post_page("florence", post)).status_code == 404


def test_it_filters_the_board_by_kind_sector_city_and_network(client, personas):
    _ask(personas, title="Florence legal ask", sector="legal", city="Firenze")
    _ask(personas, title="Florence food offer", kind="offer", sector="food", city="Prato")
    _ask(personas, title="Veneto everyone ask", author=personas.charlie,
         network=personas.veneto, reach="federation", city="Padova")  # fmt: skip
    _ask(personas, title="Veneto only ask", author=personas.charlie, network=personas.veneto)
    client.force_login(personas.bob)

    def shown(**query) -> set[str]:
        page = client.get(_board("florence"), query).content.decode()
        titles = ["Florence legal ask", "Florence food offer", "Veneto everyone ask",
                  "Veneto only ask"]  # fmt: skip
        return {title for title in titles if title in page}

    assert shown() == {"Florence legal ask", "Florence food offer", "Veneto everyone ask"}
    assert shown(kind="offer") == {"Florence food offer"}
    assert shown(sector="food") == {"Florence food offer"}
    assert shown(city="padova") == {"Veneto everyone ask"}
    assert shown(network=personas.veneto.pk) == {"Veneto everyone ask"}
    # A bad filter is ignored, not a 500.
    assert shown(network="x", sector="nonsense") == shown()


def test_it_lists_newest_first_and_hides_expired_posts(client, personas):
    older = _ask(personas, title="Older ask")
    _ask(personas, title="Newer ask")
    with scopes_disabled():
        Post.objects.filter(pk=older.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    _ask(personas, title="Still open ask")
    client.force_login(personas.bob)
    page = client.get(_board("florence")).content.decode()
    assert "Older ask" not in page
    assert page.index("Still open ask") < page.index("Newer ask")


def test_it_sends_strangers_and_anonymous_visitors_away(client, personas):
    post = _ask(personas)
    for url in (_board("florence"), _post_page("florence", post)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(personas.dave)  # an account, no membership: the network's 404
    assert client.get(_board("florence")).status_code == 404
    lapsed = make_user("lapsed@example.com")
    member(personas.florence, lapsed, card=9, status="lapsed")
    client.force_login(lapsed)  # known to the network, not active: 403
    assert client.get(_board("florence")).status_code == 403
    assert client.post(_post_page("florence", post, "answer"), {"kind": "help"}).status_code == 403


def test_it_lets_only_the_author_close_and_only_with_one_of_its_answers(client, personas):
    post = _ask(personas)
    other = _ask(personas, title="Another", author=personas.bob)
    client.force_login(personas.bob)
    client.post(_post_page("florence", post, "answer"), {"kind": "help"})
    assert client.post(_post_page("florence", post, "close"), {}).status_code == 404
    client.force_login(personas.alice)
    client.post(_post_page("florence", other, "answer"), {"kind": "help"})
    foreign = Answer.objects.get(post=other)
    response = client.post(_post_page("florence", post, "close"), {"helpful_answer": foreign.pk})
    assert "Choose one of the answers to this post." in _messages(response)
    with scopes_disabled():
        post.refresh_from_db()
    assert post.status == "open"
    assert Connection.objects.count() == 0


def test_it_refuses_answers_to_own_and_closed_posts(client, personas):
    post = _ask(personas)
    client.force_login(personas.alice)
    response = client.post(_post_page("florence", post, "answer"), {"kind": "help"})
    assert "You cannot answer your own ask or offer." in _messages(response)
    client.post(_post_page("florence", post, "close"), {})
    client.force_login(personas.bob)
    response = client.post(_post_page("florence", post, "answer"), {"kind": "help"})
    assert "This ask or offer is closed." in _messages(response)
    assert Answer.objects.count() == 0


def test_it_answers_once_when_the_button_is_pressed_twice(client, personas):
    post = _ask(personas)
    client.force_login(personas.bob)
    for _ in range(2):
        client.post(_post_page("florence", post, "answer"), {"kind": "help", "note": "Io"})
    assert Answer.objects.count() == 1
    assert OutboxEmail.objects.filter(template="ties-answer").count() == 1


@pytest.mark.parametrize(
    ("expires_on", "error"),
    [
        (-1, "The closing date cannot be in the past."),
        (400, "An ask or offer stays open for at most a year."),
        ("20260-01-01", "Enter a valid date."),
    ],
)
def test_it_refuses_a_bad_closing_date(client, personas, expires_on, error):
    client.force_login(personas.bob)
    when = _in(expires_on) if isinstance(expires_on, int) else expires_on
    response = client.post(
        reverse("ties_post_new", kwargs={"network_slug": "florence"}),
        {"kind": "ask", "reach": "network", "title": "X", "expires_on": when},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    with scopes_disabled():
        assert Post.objects.count() == 0


def test_it_limits_how_often_a_member_posts_and_answers(client, personas, settings):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {
        "ties_post": "2/h/user", "ties_answer": "1/h/user",
    }  # fmt: skip
    client.force_login(personas.bob)
    data = {"kind": "ask", "reach": "network", "title": "Ask", "expires_on": _in(5)}
    url = reverse("ties_post_new", kwargs={"network_slug": "florence"})
    statuses = [client.post(url, data).status_code for _ in range(3)]
    assert statuses == [302, 302, 200]
    assert "Try again in an hour." in client.post(url, data).content.decode()
    with scopes_disabled():
        assert Post.objects.count() == 2
    first, second = _ask(personas), _ask(personas, title="Second")
    client.post(_post_page("florence", first, "answer"), {"kind": "help"})
    response = client.post(_post_page("florence", second, "answer"), {"kind": "help"})
    assert any("Try again in an hour." in m for m in _messages(response))
    assert Answer.objects.count() == 1


def test_it_names_a_hidden_author_by_network_only(client, personas):
    Profile.objects.update_or_create(user=personas.alice, defaults={"visibility": "hidden"})
    post = _ask(personas, reach="federation")
    client.force_login(personas.charlie)
    for page in (client.get(_board("veneto")), client.get(_post_page("veneto", post))):
        text = page.content.decode()
        assert post.title in text
        assert "Alice" not in text and "a member of FlorenceIN" in text


@pytest.mark.parametrize("size", [5, 50])
def test_it_reads_the_board_in_a_fixed_number_of_queries(
    client, personas, size, django_assert_num_queries
):
    for n in range(size):
        author = personas.bob if n % 2 else personas.charlie
        network = personas.florence if n % 2 else personas.veneto
        post = _ask(personas, title=f"Ask {n}", author=author, network=network, reach="federation")
        Answer.objects.create(post=post, author=personas.alice)
    client.force_login(personas.bob)
    # The overhead, the networks for the filter, the page of posts with authors and counts.
    with django_assert_num_queries(REQUEST_OVERHEAD + 2):
        response = client.get(_board("florence"))
    assert response.status_code == 200
    assert response.content.decode().count("<article>") == min(size, 20)
