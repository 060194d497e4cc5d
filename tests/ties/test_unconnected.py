"""Members without a connection 30 days after joining: /<network>/manage/unconnected/ and the
line on the coordinators' manage home."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from members.models import Profile
from members.services.profiles import profile_update
from networks.models import Membership
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.members.factories import member
from ties.models import Connection, Origin
from ties.selectors.unconnected import (
    UNCONNECTED_PAGE_SIZE,
    unconnected_member_count,
    unconnected_members,
)
from ties.services.connections import connection_make

PAGE = reverse("ties_unconnected", kwargs={"network_slug": "florence"})
MANAGE = reverse("manage_home", kwargs={"network_slug": "florence"})


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def _joined(personas, key: str, days: int, *, network=None, **fields):
    first, last = key.capitalize(), "Rossi"
    user = make_user(f"{key}@example.com", first_name=first, last_name=last)
    network = network or personas.florence
    with scopes_disabled():
        card = Membership.objects.filter(network=network).count() + 1
    member(network, user, card=card, joined_on=_days_ago(days), **fields)
    setattr(personas, key, user)
    return user


@pytest.fixture
def florence(personas):
    """FlorenceIN's members, by how long ago they joined and whom they know."""
    p = personas
    with scopes_disabled():  # the personas joined long ago
        Membership.objects.update(joined_on=_days_ago(400))
    _joined(p, "olga", 200)  # the oldest joiner without a connection
    _joined(p, "hugo", 90)
    profile_update(user=p.hugo, company="Hugo Srl", sector="legal", visibility="hidden")
    _joined(p, "tina", 30)  # exactly 30 days: listed
    _joined(p, "nino", 29)  # not yet 30 days
    _joined(p, "lara", 100, status="lapsed")  # not an active member
    _joined(p, "gina", 100, valid_until=_days_ago(1))  # in the grace days: a renewal to chase
    _joined(p, "vale", 100, valid_until=timezone.localdate())  # valid through today: listed
    _joined(p, "low", 120)  # connected, as the lower id of the pair
    _joined(p, "high", 120)  # connected, as the higher id of the pair
    _joined(p, "elsewhere", 120)  # connected to someone of another network
    _joined(p, "vito", 300, network=p.veneto)  # VenetoIN's: never on FlorenceIN's page
    friend = make_user("friend@example.com", first_name="Friend")
    assert p.low.pk < friend.pk and p.high.pk < friend.pk
    Connection.objects.create(user_low=p.low, user_high=friend, origin=Origin.ASK)
    Connection.objects.create(user_low=p.alice, user_high=p.high, origin=Origin.ASK)
    connection_make(user_a=p.elsewhere, user_b=p.charlie, origin=Origin.EVENT)
    return p


def _names(response) -> list[str]:
    return [m.name for m in response.context["members"]]


def test_it_lists_active_members_with_no_connection_30_days_on_oldest_first(client, florence):
    client.force_login(florence.alice)
    response = client.get(PAGE)
    assert response.status_code == 200
    # Alice and Bob joined 400 days ago and Bob knows nobody; Alice knows "High".
    assert _names(response) == [
        *("Bob Bellini", "Olga Rossi", "Vale Rossi", "Hugo Rossi", "Tina Rossi")
    ]
    with scope(network=florence.florence):
        assert unconnected_member_count(network=florence.florence) == 5


def test_it_shows_name_company_sector_and_day_and_how_to_reach_them(client, florence):
    client.force_login(florence.alice)
    page = client.get(PAGE).content.decode()
    hugo = _article(page, "Hugo Rossi")
    assert "Hugo Srl" in hugo and "Legal services" in hugo
    assert _days_ago(90).strftime("%m/%d/%Y") in hugo
    assert "hidden profile" in hugo  # coordinators see their hidden members too
    assert 'href="mailto:hugo@example.com"' in hugo
    assert "?other=" not in hugo  # no form offers a hidden member
    olga = _article(page, "Olga Rossi")
    one_to_one = reverse("ties_one_to_one_new", kwargs={"network_slug": "florence"})
    assert f'href="{one_to_one}?other={florence.olga.pk}"' in olga
    assert "Nobody can introduce them yet" in page  # no connection, so no introducer


def _article(page: str, name: str) -> str:
    [found] = [a for a in re.findall(r"<article.*?</article>", page, re.S) if name in a]
    return found


def test_it_says_so_when_the_coordinator_is_among_them(client, florence):
    Connection.objects.filter(user_low=florence.alice).delete()
    client.force_login(florence.alice)
    page = client.get(PAGE).content.decode()
    assert "This is you." in _article(page, "Alice Arnolfi")
    assert "mailto:alice@example.com" not in page


def test_it_counts_them_on_the_manage_home(client, florence):
    client.force_login(florence.alice)
    page = client.get(MANAGE).content.decode()
    assert "5 members without a connection after 30 days" in page
    assert f'href="{PAGE}"' in page
    Connection.objects.all().delete()
    for person in (florence.bob, florence.olga, florence.hugo):
        connection_make(user_a=person, user_b=florence.tina, origin=Origin.ASK)
    connection_make(user_a=florence.low, user_b=florence.high, origin=Origin.ASK)
    page = client.get(MANAGE).content.decode()
    # Alice and Elsewhere lost theirs; Vale never had one; the others have one now.
    assert "3 members without a connection after 30 days" in page
    Connection.objects.all().delete()
    with scopes_disabled():
        Membership.objects.filter(joined_on__lt=_days_ago(29)).update(joined_on=_days_ago(1))
    assert "without a connection" not in client.get(MANAGE).content.decode()


@pytest.mark.parametrize(
    ("who", "slug", "status"),
    [
        ("alice", "florence", 200),
        ("bob", "florence", 403),
        ("charlie", "florence", 404),
        ("dave", "florence", 404),
        (None, "florence", 302),
        ("charlie", "veneto", 200),
        ("alice", "veneto", 404),
    ],
)
def test_it_opens_the_page_to_the_networks_coordinators_only(client, florence, who, slug, status):
    if who:
        client.force_login(getattr(florence, who))
    response = client.get(reverse("ties_unconnected", kwargs={"network_slug": slug}))
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]


def test_it_shows_each_coordinator_their_own_network_only(client, florence):
    client.force_login(florence.charlie)
    response = client.get(reverse("ties_unconnected", kwargs={"network_slug": "veneto"}))
    assert _names(response) == ["Vito Rossi"]  # Charlie himself knows Elsewhere
    page = client.get(reverse("manage_home", kwargs={"network_slug": "veneto"}))
    assert "1 member without a connection after 30 days" in page.content.decode()


def test_it_pages_oldest_joiners_first_without_skipping_or_repeating(client, florence):
    for n in range(UNCONNECTED_PAGE_SIZE + 2):  # three joining days: ties broken by id
        _joined(florence, f"extra{n:02d}", 60 + n % 3)
    client.force_login(florence.alice)
    first = client.get(PAGE)
    assert len(first.context["members"]) == UNCONNECTED_PAGE_SIZE
    rest = client.get(PAGE + "?" + first.context["next_page_query"])
    assert rest.context["next_page_query"] == ""
    shown = [m.user_id for m in first.context["members"] + rest.context["members"]]
    assert shown == _order(florence)
    assert len(shown) == len(set(shown)) == UNCONNECTED_PAGE_SIZE + 2 + 5


def _order(florence) -> list[int]:
    """The expected order, computed another way: every pair's ids read in Python."""
    with scopes_disabled():
        rows = Membership.objects.filter(network=florence.florence, joined_on__lte=_days_ago(30))
        rows = rows.filter(status="active").exclude(user__in=_connected())
        rows = rows.exclude(valid_until__lt=timezone.localdate())
        return list(rows.order_by("joined_on", "id").values_list("user_id", flat=True))


def _connected() -> set[int]:
    pairs = Connection.objects.values_list("user_low_id", "user_high_id")
    return {pk for pair in pairs for pk in pair}


@pytest.mark.parametrize("after", ["x", "1_", "_1", "0_1", "99999999_1", "738000_x", "²_1"])
def test_it_reads_a_bad_cursor_as_the_first_page(client, florence, after):
    client.force_login(florence.alice)
    response = client.get(PAGE, {"after": after})
    assert response.status_code == 200
    assert len(response.context["members"]) == 5


def test_it_leaves_out_deactivated_accounts(client, florence):
    florence.olga.is_active = False
    florence.olga.save()
    client.force_login(florence.alice)
    assert "Olga Rossi" not in _names(client.get(PAGE))


@pytest.mark.parametrize("size", [5, 50])
def test_it_lists_and_counts_in_a_fixed_number_of_queries(
    client, florence, size, django_assert_num_queries
):
    for n in range(size):
        _joined(florence, f"many{n:02d}", 40 + n)
        if n % 2:
            Profile.objects.filter(user=getattr(florence, f"many{n:02d}")).delete()
    client.force_login(florence.alice)
    with django_assert_num_queries(REQUEST_OVERHEAD + 1):  # the page, in one query
        response = client.get(PAGE)
    assert len(response.context["members"]) == min(size + 5, UNCONNECTED_PAGE_SIZE)
    # The manage home: members, applications, renewals, next event, then the count.
    with django_assert_num_queries(REQUEST_OVERHEAD + 5):
        assert client.get(MANAGE).status_code == 200
    with scope(network=florence.florence):
        assert len(unconnected_members(network=florence.florence, size=1000).rows) == size + 5


def test_it_counts_as_the_networks_figures_do(client, florence):
    """The manage home's line and the figures page (clubin.stats' unconnected_30, a snapshot)
    name the same members: two definitions, kept in step by this test."""
    from clubin.stats.services import stats_rebuild

    stats_rebuild()
    client.force_login(florence.alice)
    figures = client.get(reverse("manage_stats", kwargs={"network_slug": "florence"}))
    text = re.sub(r"\s+", " ", figures.content.decode())
    assert re.search(r"<p id=\"unconnected\"> 5 members joined 30", text)
    assert "5 members without a connection after 30 days" in client.get(MANAGE).content.decode()
