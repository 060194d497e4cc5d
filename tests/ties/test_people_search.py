"""The member pickers' search (/<network>/people/search/): the same people each form accepts,
by name or company, at most 20, never hidden or outside the network; the form stays the
authority; bad input is a 400 or an empty list, never a 500."""

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Profile, User
from members.services.profiles import profile_update
from networks.models import Membership
from tests.conftest import make_user, needs_postgres
from tests.members.factories import member
from ties.models import Origin, Referral
from ties.selectors.people import SEARCH_LIMIT, Picker, people_search
from ties.services.connections import connection_make

SEARCH = reverse("ties_people_search", kwargs={"network_slug": "florence"})
# A JSON answer inside a network: the session, the user, the network and the membership (no
# menu: nothing is rendered).
JSON_OVERHEAD = 4


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def florence(personas):
    """FlorenceIN with Erica (Esposito Srl), Ermes (no profile), Hilda (hidden), Lapo (lapsed)
    and Ines (account deactivated); VenetoIN with Vera Esposti. Alice knows Bob and Erica."""
    p = personas
    people = {
        "erica": ("Erica", "Esposito", "Esposito Srl", "active", True),
        "ermes": ("Ermes", "Espa", None, "active", True),
        "hilda": ("Hilda", "Esposito", "Hidden Srl", "active", True),
        "lapo": ("Lapo", "Esposito", "Lapsed Srl", "lapsed", True),
        "ines": ("Ines", "Esposito", "Inactive Srl", "active", False),
    }
    for card, (key, (first, last, company, status, active)) in enumerate(people.items(), 3):
        user = make_user(f"{key}@example.com", first_name=first, last_name=last)
        user.is_active = active
        user.save()
        member(p.florence, user, card=card, status=status)
        if company is not None:
            profile_update(user=user, company=company)
        setattr(p, key, user)
    Profile.objects.filter(user=p.hilda).update(visibility=Profile.Visibility.HIDDEN)
    p.vera = make_user("vera@example.com", first_name="Vera", last_name="Esposti")
    member(p.veneto, p.vera, card=2)
    profile_update(user=p.vera, company="Esposti Veneto")
    connection_make(user_a=p.alice, user_b=p.bob, origin=Origin.ASK)
    connection_make(user_a=p.alice, user_b=p.erica, origin=Origin.ASK)
    connection_make(user_a=p.alice, user_b=p.vera, origin=Origin.ASK)  # VenetoIN only
    return p


def _search(client, q: str, picker: str = "referral", slug: str = "florence"):
    url = reverse("ties_people_search", kwargs={"network_slug": slug})
    return client.get(url, {"q": q, "for": picker})


def _names(client, q: str, picker: str = "referral") -> list[str]:
    response = _search(client, q, picker)
    assert response.status_code == 200
    return [person["name"] for person in response.json()["results"]]


@pytest.mark.parametrize("picker", ["referral", "one_to_one"])
def test_it_finds_members_by_name_or_company_among_those_the_form_accepts(client, florence, picker):
    client.force_login(florence.bob)
    assert _names(client, "ESPO", picker) == ["Erica Esposito"]  # any case, inside a word
    assert _names(client, "esposito srl", picker) == ["Erica Esposito"]  # every word matches
    assert _names(client, "Ermes", picker) == ["Ermes Espa"]  # no profile: found by name
    assert _names(client, "arn", picker) == ["Alice Arnolfi"]  # a coordinator is a member
    assert _names(client, "bellini", picker) == []  # never myself
    [erica] = _search(client, "erica", picker).json()["results"]
    assert erica == {"id": florence.erica.pk, "name": "Erica Esposito", "company": "Esposito Srl"}


def test_it_never_returns_hidden_lapsed_deactivated_or_other_networks_people(client, florence):
    client.force_login(florence.bob)
    for q in ("hilda", "hidden", "lapo", "lapsed", "ines", "inactive", "vera", "esposti"):
        for picker in ("referral", "one_to_one", "introduction"):
            assert _names(client, q, picker) == [], (q, picker)


def test_it_offers_only_my_connections_for_an_introduction(client, florence):
    client.force_login(florence.alice)
    assert _names(client, "esp", "introduction") == ["Erica Esposito"]  # not Ermes: not known
    assert _names(client, "esp", "referral") == ["Ermes Espa", "Erica Esposito"]
    assert _names(client, "bell", "introduction") == ["Bob Bellini"]
    client.force_login(florence.bob)  # Bob knows only Alice
    assert _names(client, "esp", "introduction") == []
    assert _names(client, "alice", "introduction") == ["Alice Arnolfi"]


def test_it_returns_at_most_twenty_by_last_name(client, florence):
    for n in range(SEARCH_LIMIT + 5):
        person = make_user(f"rossi{n}@example.com", first_name="Mario", last_name=f"Rossi{n:02d}")
        member(florence.florence, person, card=100 + n)
    client.force_login(florence.bob)
    names = _names(client, "rossi")
    assert len(names) == SEARCH_LIMIT == 20
    assert names == [f"Mario Rossi{n:02d}" for n in range(SEARCH_LIMIT)]


def _limit(settings, rate: str) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ties_people_search": rate}


@pytest.mark.parametrize("q", ["", "e", " e ", "  "])
def test_it_needs_two_letters(client, florence, q, settings):
    _limit(settings, "1/m/user")
    client.force_login(florence.bob)
    for _ in range(3):  # too short costs no try of the limit either
        response = _search(client, q)
        assert response.status_code == 200 and response.json() == {"results": []}
    assert _names(client, "erica") == ["Erica Esposito"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "erica", "for": "everyone"},
        {"q": "erica"},
        {"q": "erica", "for": ""},
        {"q": "erica", "for": "referral\x00"},
        {"q": "eri\x00ca", "for": "referral"},
        {"q": "e" * 101, "for": "referral"},
        {"q": ["erica", "bob"], "for": ["referral", "nope"]},  # the last value counts
    ],
)
def test_it_refuses_a_query_no_form_sends_with_a_400(client, florence, params):
    client.force_login(florence.bob)
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    "q", ["%", "__", "%%", "e_ica", "'; drop table", "\\", "ü" * 50, "😀😀", "a" * 100]
)
def test_it_takes_any_text_as_text(client, florence, q):
    client.force_login(florence.bob)
    response = _search(client, q)
    assert response.status_code == 200
    assert response.json()["results"] == []  # LIKE's wildcards are letters here


def test_it_answers_only_a_get(client, florence):
    client.force_login(florence.bob)
    assert client.post(SEARCH + "?q=erica&for=referral").status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 200), ("charlie", 404), ("dave", 404), ("lapo", 403), (None, 302)],
)
def test_it_answers_the_networks_members_only(client, florence, who, status):
    if who:
        client.force_login(getattr(florence, who))
    response = _search(client, "erica")
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]
    if status == 200:
        assert _names(client, "erica") == ["Erica Esposito"]


def test_it_searches_the_network_of_the_url_only(client, florence):
    client.force_login(florence.charlie)  # VenetoIN's coordinator
    assert [p["name"] for p in _search(client, "esp", slug="veneto").json()["results"]] == [
        "Vera Esposti"
    ]
    assert _search(client, "esp", slug="florence").status_code == 404
    assert _search(client, "esp", slug="atlantis").status_code == 404


def test_it_limits_how_often_a_member_searches(client, florence, settings):
    _limit(settings, "3/m/user")
    client.force_login(florence.bob)
    assert [_search(client, "erica").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert _search(client, "erica").json() == {"results": []}


def test_it_keeps_the_form_the_authority_on_whom_it_accepts(client, florence):
    """The search offers nobody the form refuses; an id sent by hand is a form error."""
    client.force_login(florence.bob)
    new = reverse("ties_referral_new", kwargs={"network_slug": "florence"})
    for forged in (florence.hilda, florence.vera, florence.lapo, florence.bob):
        response = client.post(new, {"receiver": forged.pk, "what": "A lead", "for_whom": "X"})
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
    response = client.post(new, {"receiver": "12abc", "what": "A lead", "for_whom": "X"})
    assert "Select a valid choice." in response.content.decode()
    with scopes_disabled():
        assert not Referral.objects.exists()
    response = client.post(
        new, {"receiver": florence.erica.pk, "what": "A lead", "for_whom": "Rossi"}
    )
    assert response.status_code == 302  # what the search found, the form takes


@pytest.mark.parametrize(
    ("name", "fields", "picker"),
    [
        ("ties_referral_new", ("receiver", "contact"), "referral"),
        ("ties_one_to_one_new", ("other",), "one_to_one"),
        ("ties_introduction_new", ("first", "second"), "introduction"),
    ],
)
def test_it_marks_each_picker_for_the_script_and_keeps_every_choice(
    client, florence, name, fields, picker
):
    client.force_login(florence.alice)
    page = client.get(reverse(name, kwargs={"network_slug": "florence"})).content.decode()
    assert page.count(f'data-people-search="{SEARCH}?for={picker}"') == len(fields)
    assert "Type at least two letters of a name or a company." in page
    assert 'src="/static/js/people-picker.js"' in page
    assert "<script>" not in page  # nothing inline: the Content-Security-Policy to come
    for field in fields:  # without JavaScript the select still lists everyone
        assert f'<select name="{field}"' in page
    assert f'<option value="{florence.erica.pk}">Erica Esposito</option>' in page


def test_it_prefills_a_one_to_one_with_a_member_the_form_offers(client, florence):
    client.force_login(florence.alice)
    new = reverse("ties_one_to_one_new", kwargs={"network_slug": "florence"})
    chosen = f'<option value="{florence.erica.pk}" selected>'
    assert chosen in client.get(new, {"other": florence.erica.pk}).content.decode()
    for ignored in (florence.hilda.pk, florence.vera.pk, "x", "9" * 30, ""):
        page = client.get(new, {"other": ignored}).content.decode()
        assert " selected>" not in page.replace('<option value="" selected>', "")


@pytest.mark.parametrize("size", [10, 100])
def test_it_searches_in_a_fixed_number_of_queries(
    client, florence, size, django_assert_num_queries
):
    for n in range(size):
        person = make_user(f"socio{n}@example.com", first_name="Socio", last_name=f"Numero{n}")
        member(florence.florence, person, card=100 + n)
        profile_update(user=person, company=f"Azienda {n}")
        connection_make(user_a=florence.alice, user_b=person, origin=Origin.ASK)
    client.force_login(florence.alice)
    for picker in ("referral", "one_to_one", "introduction"):
        with django_assert_num_queries(JSON_OVERHEAD + 1):
            response = _search(client, "socio numero", picker)
        assert len(response.json()["results"]) == min(size, SEARCH_LIMIT)


@needs_postgres
# As the directory's plan test: the plan depends on the tables' size on disk, which rows earlier
# tests wrote and rolled back still inflate, so it runs alone.
@pytest.mark.serial
def test_it_lets_the_trigram_index_serve_the_search_on_postgresql(florence):
    """Sequential scans priced out, the plan shows that the directory's trigram index can
    serve the search: a LIKE on the lower-cased text, in a subquery that an OR leaves usable."""
    _bulk_members(florence.florence, 1000)
    with CaptureQueriesContext(db) as queries:
        found = people_search(
            network=florence.florence, viewer=florence.bob, picker=Picker.REFERRAL, query="Espo"
        )
    assert [p.name for p in found] == ["Erica Esposito"]
    (search,) = [q["sql"] for q in queries.captured_queries if "search_text" in q["sql"]]
    with db.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('profile_search_trgm'::regclass)")
        cursor.execute("ANALYZE members_profile, members_user, networks_membership")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on profile_search_trgm" in plan, plan


def _bulk_members(network, count: int) -> None:
    """Many members at once; their search text is built as profile_update builds it."""
    users = User.objects.bulk_create(
        [User(email=f"bulk{n}@example.com", first_name=f"B{n:04}", last_name="Socio")
         for n in range(count)]
    )  # fmt: skip
    profiles = [Profile(user=user, company="Bulk Srl") for user in users]
    for row in profiles:
        row.search_text = row.build_search_text()
    Profile.objects.bulk_create(profiles)
    with scopes_disabled():
        Membership.objects.bulk_create([Membership(network=network, user=u) for u in users])


def test_it_sees_a_member_who_left_as_gone(client, florence):
    client.force_login(florence.bob)
    with scopes_disabled():
        Membership.objects.filter(user=florence.erica).update(status="ended")
    assert _names(client, "erica") == []


def _queries(client, q: str) -> int:
    with CaptureQueriesContext(db) as queries:
        _search(client, q)
    return len(queries)


def test_it_runs_no_search_for_a_short_query(client, florence):
    client.force_login(florence.bob)
    assert _queries(client, "e") == JSON_OVERHEAD
