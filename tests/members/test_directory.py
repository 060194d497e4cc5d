"""The member directory at /<network>/members/: who appears, search, filters, pages, privacy."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scope, scopes_disabled

from members.models import Profile, User
from members.selectors.directory import PAGE_SIZE, Cursor, network_directory
from members.services.profiles import profile_update
from networks.models import Membership, Network
from tests.conftest import REQUEST_OVERHEAD, make_user, needs_postgres

URL = "/florence/members/"


def _join(network: Network, user: User, **membership) -> Membership:
    with scopes_disabled():
        return Membership.objects.create(network=network, user=user, **membership)


def _member(network: Network, first: str, last: str, *, membership=None, **profile) -> User:
    email = f"{first}.{last}.{User.objects.count()}@example.com".lower()
    user = make_user(email, first_name=first, last_name=last)
    profile_update(user=user, **profile)
    _join(network, user, **(membership or {}))
    return user


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [entry.name for entry in response.context["entries"]]


@pytest.fixture
def florence(personas):
    """FlorenceIN with profiles for its personas; Alice and Bob keep the defaults otherwise."""
    profile_update(user=personas.alice, company="Arnolfi Consulting", sector="consulting")
    profile_update(user=personas.bob, company="Bellini Ceramiche", sector="manufacturing")
    return personas


@pytest.mark.django_db
def test_it_works(client, florence):
    client.force_login(florence.bob)
    response = client.get(URL)
    assert _names(response) == ["Alice Arnolfi", "Bob Bellini"]
    body = response.content.decode()
    assert "Arnolfi Consulting" in body and "Bellini Ceramiche" in body
    assert 'href="/me/profile/"' in body
    client.force_login(florence.alice)  # coordinators use it too
    assert _names(client.get(URL)) == ["Alice Arnolfi", "Bob Bellini"]


@pytest.mark.django_db
def test_it_checks_network(client, florence):
    """Charlie coordinates VenetoIN: FlorenceIN's directory does not exist for him."""
    client.force_login(florence.charlie)
    assert client.get(URL).status_code == 404
    assert client.get("/atlantis/members/").status_code == 404
    assert _names(client.get("/veneto/members/")) == ["Charlie Cortese"]


@pytest.mark.django_db
def test_it_checks_role(client, florence):
    client.force_login(florence.dave)  # an account with no membership
    assert client.get(URL).status_code == 404
    lapsed = _member(florence.florence, "Lia", "Lapsi", membership={"status": "lapsed"})
    client.force_login(lapsed)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_it_asks_anonymous_visitors_to_log_in(client, florence):
    response = client.get(URL + "?q=bellini")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/florence/members/%3Fq%3Dbellini"


@pytest.mark.django_db
def test_it_never_lists_hidden_profiles(client, florence):
    _member(florence.florence, "Hugo", "Hidden", company="Secret Srl", visibility="hidden")
    _member(florence.florence, "Fede", "Federale", visibility="federation")
    client.force_login(florence.bob)
    assert _names(client.get(URL)) == ["Alice Arnolfi", "Bob Bellini", "Fede Federale"]
    assert _names(client.get(URL + "?q=secret")) == []
    assert "Hidden" not in client.get(URL).content.decode()


@pytest.mark.django_db
def test_it_lists_only_active_members_of_this_network(client, florence):
    for status in ("suspended", "lapsed", "ended"):
        _member(florence.florence, "Gone", status.title(), membership={"status": status})
    _member(florence.veneto, "Vera", "Veneta")
    both = _member(florence.veneto, "Tina", "Twice")
    _join(florence.florence, both)
    inactive = _member(florence.florence, "Ivo", "Inattivo")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    client.force_login(florence.bob)
    assert _names(client.get(URL)) == ["Alice Arnolfi", "Bob Bellini", "Tina Twice"]


@pytest.mark.django_db
def test_it_lists_a_member_without_a_profile_with_empty_fields(client, florence):
    _join(florence.florence, florence.dave)  # Dave never wrote a profile
    client.force_login(florence.bob)
    response = client.get(URL)
    assert _names(response) == ["Alice Arnolfi", "Bob Bellini", "Dave Donati"]
    dave = response.context["entries"][-1]
    assert (dave.company, dave.email, dave.phone, dave.linkedin_url) == ("", "", "", "")
    assert "dave@example.com" not in response.content.decode()
    # With no search text, the search box does not find them; browsing does.
    assert _names(client.get(URL + "?q=donati")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ceramiche", ["Bob Bellini"]),  # company
        ("BELLINI", ["Bob Bellini"]),  # name, any case
        ("tableware", ["Bob Bellini"]),  # what I can offer
        ("export agent", ["Bob Bellini", "Carla Costa"]),  # what I am looking for
        ("agent japan", ["Bob Bellini"]),  # every word, in any order
        ("nobody has this", []),
        ("100%_", []),  # LIKE wildcards are literal
    ],
)
def test_it_searches_names_companies_offers_and_needs(client, florence, query, expected):
    profile_update(user=florence.bob, offers="Custom tableware", needs="An export agent for Japan")
    _member(florence.florence, "Carla", "Costa", needs="An export agent for Brazil")
    client.force_login(florence.alice)
    assert _names(client.get(URL, {"q": query})) == expected


@pytest.mark.django_db
def test_it_finds_a_sector_by_the_label_it_was_saved_with(client, florence):
    with translation.override("en"):
        profile_update(user=florence.bob, sector="food")
    client.force_login(florence.alice)
    # The search text holds the label in the language of the request that saved it.
    assert _names(client.get(URL, {"q": "food and wine"})) == ["Bob Bellini"]


@pytest.mark.django_db
def test_it_filters_by_sector_and_city(client, florence):
    _member(florence.florence, "Dino", "Prato", sector="fashion", city="Prato")
    _member(florence.florence, "Elsa", "Moda", sector="fashion", city="Firenze")
    _member(florence.florence, "Ugo", "Vino", sector="food", city="firenze")
    client.force_login(florence.bob)
    assert _names(client.get(URL, {"sector": "fashion"})) == ["Elsa Moda", "Dino Prato"]
    assert _names(client.get(URL, {"city": "FIRENZE"})) == ["Elsa Moda", "Ugo Vino"]
    both = client.get(URL, {"sector": "fashion", "city": "Firenze"})
    assert _names(both) == ["Elsa Moda"]
    # An unknown sector is ignored rather than an error.
    assert len(_names(client.get(URL, {"sector": "piracy"}))) == 5
    assert "Prato" in client.get(URL).context["cities"]


def _walk(client, params: dict) -> tuple[list[int], int]:
    """Follow the "next page" links from the first page: the memberships seen, the page count."""
    seen, pages, query = [], 0, "?" + "&".join(f"{k}={v}" for k, v in params.items())
    while query:
        response = client.get(URL + query)
        assert response.status_code == 200
        assert 0 < len(response.context["entries"]) <= PAGE_SIZE
        seen += [entry.membership_id for entry in response.context["entries"]]
        pages += 1
        query = response.context["next_page_query"] and "?" + response.context["next_page_query"]
    return seen, pages


@pytest.mark.django_db
def test_it_pages_through_every_member_once(client, florence):
    # Many people share a last name, and a full name, so ties fall to first name, then id.
    for n in range(2 * PAGE_SIZE + 3):
        _member(
            florence.florence, f"Anna{n % 4}", f"Rossi{n % 3}", offers=("barolo", "chianti")[n % 2]
        )
    with scopes_disabled():
        everyone = Membership.objects.filter(network=florence.florence)
        expected = list(everyone.order_by("user__last_name", "user__first_name", "id"))
        chianti = [m.pk for m in expected if m.user.profile.offers == "chianti"]
    client.force_login(florence.bob)
    seen, pages = _walk(client, {})
    assert seen == [m.pk for m in expected]  # in order, nothing missing, nothing twice
    assert pages == 3
    seen, pages = _walk(client, {"q": "chianti"})  # the search carries over to the next pages
    assert seen == chianti
    assert pages == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    ["garbage", "", "W10", "WzEsMiwzXQ", "!!!", "x" * 5000, Cursor("A\x00", "", 1).encode()],
)
def test_it_treats_a_broken_cursor_as_the_first_page(client, florence, token):
    client.force_login(florence.bob)
    assert _names(client.get(URL, {"after": token})) == ["Alice Arnolfi", "Bob Bellini"]


def test_it_round_trips_a_cursor():
    cursor = Cursor("D'Àngelo", "Zoë & co", 42)
    token = cursor.encode()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert Cursor.decode(token) == cursor
    assert Cursor.decode(Cursor("a", "b", True).encode()) is None  # a bool is no membership id


@pytest.mark.django_db
def test_it_shows_contact_fields_only_when_the_member_chose_so(client, florence):
    contacts = {
        "linkedin_url": "https://www.linkedin.com/in/eva-open",
        "phone": "+39 055 111111",
    }
    _member(florence.florence, "Eva", "Open", show_email=True, show_phone=True, **contacts)
    _member(
        florence.florence, "Zeno", "Closed", show_email=False, show_phone=False,
        show_linkedin=False, linkedin_url="https://www.linkedin.com/in/zeno-closed",
        phone="+39 055 999999",
    )  # fmt: skip
    client.force_login(florence.bob)
    response = client.get(URL)
    body = response.content.decode()
    entries = {e.name: e for e in response.context["entries"]}
    assert entries["Eva Open"].email.startswith("eva.open")
    assert 'href="mailto:eva.open' in body
    assert "+39 055 111111" in body and "linkedin.com/in/eva-open" in body
    assert (entries["Zeno Closed"].email, entries["Zeno Closed"].phone) == ("", "")
    assert entries["Zeno Closed"].linkedin_url == ""
    assert "zeno.closed" not in body and "999999" not in body and "zeno-closed" not in body
    assert "bob@example.com" not in body  # the defaults show no email


@pytest.mark.django_db
def test_it_never_shows_the_email_in_place_of_a_missing_name(client, florence):
    nameless = make_user("no.name@example.com")
    profile_update(user=nameless, company="Anonima Srl")
    _join(florence.florence, nameless)
    client.force_login(florence.bob)
    response = client.get(URL)
    assert "Anonima Srl" in response.content.decode()
    assert "no.name@example.com" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 200])
def test_it_keeps_the_directory_queries_flat(client, florence, size, django_assert_max_num_queries):
    for n in range(size):
        user = _member(florence.florence, f"M{n:03}", "Socio", sector="food", city="Firenze",
                       offers=f"olive oil batch {n}")  # fmt: skip
        if n % 2:  # every other one with a photo: it comes with the row, no query per photo
            Profile.objects.filter(user=user).update(photo=f"photos/m{n}.jpg")
    client.force_login(florence.bob)
    params = {"q": "olive oil", "sector": "food", "city": "firenze"}
    budget = django_assert_max_num_queries(REQUEST_OVERHEAD + 4)
    with CaptureQueriesContext(connection) as queries, budget:
        response = client.get(URL, params)
    assert len(response.context["entries"]) == min(size, PAGE_SIZE)
    with_photo = [entry for entry in response.context["entries"] if entry.photo_url]
    assert len(with_photo) == min(size, PAGE_SIZE) // 2
    assert response.content.decode().count('<img class="avatar"') == len(with_photo)
    assert bool(response.context["next_page_query"]) == (size > PAGE_SIZE)
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert " OFFSET " not in sql and "COUNT(" not in sql


def _bulk_members(network: Network, count: int, **profile) -> None:
    """Many members at once; their search text is built as profile_update builds it."""
    users = User.objects.bulk_create(
        [User(email=f"bulk{n}@example.com", first_name=f"B{n:04}", last_name="Socio")
         for n in range(count)]
    )  # fmt: skip
    profiles = [Profile(user=user, **profile) for user in users]
    for row in profiles:
        row.search_text = row.build_search_text()
    Profile.objects.bulk_create(profiles)
    with scopes_disabled():
        Membership.objects.bulk_create([Membership(network=network, user=u) for u in users])


@needs_postgres
@pytest.mark.django_db
# The plan depends on the tables' size on disk, which rows earlier tests in the same database
# wrote and rolled back still inflate (a parallel worker's order differs): it runs alone.
@pytest.mark.serial
def test_it_searches_through_the_trigram_index(florence):
    # Enough rows that reading every profile costs the planner more than the index does.
    _bulk_members(florence.florence, 1000, offers="olive oil")
    _member(florence.florence, "Tina", "Tartufi", offers="White truffles from San Miniato")
    with scope(network=florence.florence), CaptureQueriesContext(connection) as queries:
        entries, _ = network_directory(network=florence.florence, query="Truffles  WHITE")
    assert [e.name for e in entries] == ["Tina Tartufi"]
    (search,) = [q["sql"] for q in queries.captured_queries if "search_text" in q["sql"]]
    with connection.cursor() as cursor:
        # What autovacuum does in production: move the GIN pending list into the index proper
        # (the planner prices a long pending list high) and refresh the statistics.
        cursor.execute("SELECT gin_clean_pending_list('profile_search_trgm'::regclass)")
        cursor.execute("ANALYZE members_profile, members_user, networks_membership")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on profile_search_trgm" in plan, plan
