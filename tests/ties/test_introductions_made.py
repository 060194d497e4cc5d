"""The introducer's view: the introductions I made on /me/ and /me/introductions/, each with
where it stands (waiting, accepted by both, not now), and never which side declined."""

import re
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import Profile
from tests.conftest import make_user
from tests.members.factories import member
from ties.models import Introduction, Origin
from ties.selectors.introductions import (
    MADE_PAGE_SIZE,
    MadeCursor,
    MadeState,
    introductions_made,
)
from ties.services.connections import connection_make
from ties.services.introductions import introduction_make, introduction_reply

MADE = reverse("ties_my_introductions")
ME = reverse("members:me")
# A signed-in page outside a network: the session, the user and the menu's "manage" entries.
ME_OVERHEAD = 3


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def trio(personas):
    """Alice (FlorenceIN) knows Bob and Erica, two FlorenceIN members who do not know each other."""
    erica = make_user("erica@example.com", first_name="Erica", last_name="Esposito")
    member(personas.florence, erica, card=3)
    Profile.objects.create(user=erica, company="Esposito Srl")
    connection_make(user_a=personas.alice, user_b=personas.bob, origin=Origin.ASK)
    connection_make(user_a=personas.alice, user_b=erica, origin=Origin.EVENT)
    personas.erica = erica
    return personas


def _introduce(p, note: str = "Dovreste conoscervi") -> Introduction:
    with scopes_disabled():
        return introduction_make(
            network=p.florence, introducer=p.alice, first=p.bob, second=p.erica, note=note
        )


def _articles(html: str) -> list[str]:
    return re.findall(r'<article class="introduction-made">.*?</article>', html, re.S)


def _page(client) -> str:
    response = client.get(MADE)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_introducer_the_two_people_the_note_and_that_it_waits(client, trio):
    _introduce(trio)
    client.force_login(trio.alice)
    me = client.get(ME).content.decode()
    assert "Introductions I made" in me
    assert "Bob Bellini and Erica Esposito" in me
    assert 'href="/me/introductions/"' in me
    [article] = _articles(_page(client))
    assert "Bob Bellini" in article and "Erica Esposito" in article
    assert "(Esposito Srl)" in article
    assert "Dovreste conoscervi" in article
    assert "FlorenceIN" in article
    assert "waiting" in article and "not now" not in article


def test_it_says_accepted_by_both_with_the_day(client, trio):
    introduction = _introduce(trio)
    introduction_reply(introduction_id=introduction.pk, user=trio.bob, accept=True)
    client.force_login(trio.alice)
    assert "waiting" in _page(client)  # one acceptance is still waiting for the other
    introduction_reply(introduction_id=introduction.pk, user=trio.erica, accept=True)
    today = timezone.localdate().strftime("%m/%d/%Y")
    [article] = _articles(_page(client))
    assert f"accepted by both on {today}" in article
    assert f"accepted by both on {today}" in client.get(ME).content.decode()


def _as_introducer_sees_it(client, trio, *, decliner) -> str:
    """The introducer's article after ``decliner`` says "not now" and the other accepts."""
    with scopes_disabled():
        Introduction.objects.all().delete()
    introduction = _introduce(trio)
    accepter = trio.erica if decliner == trio.bob else trio.bob
    introduction_reply(introduction_id=introduction.pk, user=decliner, accept=False)
    introduction_reply(introduction_id=introduction.pk, user=accepter, accept=True)
    client.force_login(trio.alice)
    [article] = _articles(_page(client))
    # The row ids differ between the two runs; nothing else may.
    return article


def test_it_never_says_which_side_declined(client, trio):
    bob_declined = _as_introducer_sees_it(client, trio, decliner=trio.bob)
    erica_declined = _as_introducer_sees_it(client, trio, decliner=trio.erica)
    assert "not now" in bob_declined
    assert bob_declined == erica_declined  # the same words, whoever said not now
    assert "declin" not in bob_declined.lower() and "accepted" not in bob_declined
    # Nor can a template reach the replies: the rows it gets carry only the state.
    [made] = introductions_made(user=trio.alice).rows
    assert made.state is MadeState.NOT_NOW
    assert not hasattr(made, "first_reply") and not hasattr(made.first, "reply")


def test_it_says_not_now_as_soon_as_one_side_declines(client, trio):
    introduction = _introduce(trio)
    introduction_reply(introduction_id=introduction.pk, user=trio.erica, accept=False)
    client.force_login(trio.alice)
    [article] = _articles(_page(client))
    assert "not now" in article and "waiting" not in article


def test_it_lists_only_the_introductions_i_made(client, trio):
    _introduce(trio)
    # Bob introduces Alice to someone else: Alice is a side of it, not its introducer.
    carla = make_user("carla@example.com", first_name="Carla", last_name="Conti")
    member(trio.florence, carla, card=4)
    connection_make(user_a=trio.bob, user_b=carla, origin=Origin.ASK)
    with scopes_disabled():
        introduction_make(
            network=trio.florence, introducer=trio.bob, first=carla, second=trio.alice, note=""
        )
    client.force_login(trio.alice)
    articles = _articles(_page(client))
    assert len(articles) == 1 and "Carla" not in articles[0]
    client.force_login(trio.erica)  # introduced, never an introducer
    assert _articles(_page(client)) == []
    assert "You have not introduced anyone yet." in _page(client)
    assert "Introductions I made" not in client.get(ME).content.decode()


def test_it_keeps_the_detail_page_for_the_two_sides_only(client, trio):
    introduction = _introduce(trio)
    detail = reverse("ties_introduction", kwargs={"introduction_id": introduction.pk})
    client.force_login(trio.alice)
    assert client.get(detail).status_code == 404  # the introducer has the list, not this page
    client.force_login(trio.bob)
    assert client.get(detail).status_code == 200


def test_it_asks_for_a_login(client, trio):
    response = client.get(MADE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _many(trio, count: int, *, same_instant: bool = False) -> list[Introduction]:
    """``count`` introductions by Alice, each of a new pair, one minute apart (or not)."""
    made = []
    start = timezone.now() - timedelta(days=1)
    with scopes_disabled():
        for n in range(Introduction.objects.count(), Introduction.objects.count() + count):
            first = make_user(f"first{n}@example.com", first_name=f"First{n}")
            second = make_user(f"second{n}@example.com", first_name=f"Second{n}")
            when = start if same_instant else start + timedelta(minutes=n)
            made.append(
                Introduction.objects.create(
                    network=trio.florence,
                    introducer=trio.alice,
                    first=first,
                    second=second,
                    created_at=when,
                )
            )
    return made


@pytest.mark.parametrize("same_instant", [False, True])
def test_it_pages_newest_first_without_skipping_or_repeating(client, trio, same_instant):
    made = _many(trio, MADE_PAGE_SIZE + 3, same_instant=same_instant)
    client.force_login(trio.alice)
    first = client.get(MADE)
    rest = client.get(MADE + "?" + first.context["next_page_query"])
    assert rest.context["next_page_query"] == ""
    shown = [m.id for m in first.context["introductions"] + rest.context["introductions"]]
    newest_first = sorted(made, key=lambda i: (i.created_at, i.pk), reverse=True)
    assert shown == [i.pk for i in newest_first]
    assert len(first.context["introductions"]) == MADE_PAGE_SIZE


@pytest.mark.parametrize(
    "after", ["abc", "1_x", "_", "99999999999999999999_1", "9223372036854775807_1", "-5_3", "²_1"]
)
def test_it_reads_a_bad_cursor_as_the_first_page(client, trio, after):
    _introduce(trio)
    client.force_login(trio.alice)
    response = client.get(MADE, {"after": after})
    assert response.status_code == 200
    assert len(_articles(response.content.decode())) == 1


def test_it_round_trips_a_cursor_to_the_microsecond():
    moment = timezone.now().replace(microsecond=999_999)
    cursor = MadeCursor(moment, 42)
    assert MadeCursor.decode(cursor.encode()) == cursor


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(db) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_reads_the_introductions_i_made_in_a_fixed_number_of_queries(client, trio):
    client.force_login(trio.alice)
    page_counts, me_counts = [], []
    for size in (3, 30):
        with scopes_disabled():
            _many(trio, size - Introduction.objects.count())
        page_counts.append(_queries(client, MADE))
        me_counts.append(_queries(client, ME))
    with scopes_disabled():
        assert Introduction.objects.count() == 30
    assert page_counts[0] == page_counts[1] == ME_OVERHEAD + 1  # the page: one query
    assert me_counts[0] == me_counts[1]
