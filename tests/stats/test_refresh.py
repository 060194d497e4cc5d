"""Fresh figures without beat: a refresh after each change (at most one a minute) and a
"Refresh now" button on the dashboards for coordinators and staff."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scopes_disabled

from clubin.stats.middleware import RefreshAfterChangeMiddleware
from clubin.stats.models import Refresh
from clubin.stats.tasks import SOON_KEY
from networks.models import Membership

pytestmark = pytest.mark.django_db
FLORENCE_REFRESH = "/florence/manage/stats/refresh/"
FEDERATION_REFRESH = "/federation/refresh/"


def _refreshes() -> int:
    with scopes_disabled():
        return Refresh.objects.count()


def _request(method: str, path: str, status: int, capture) -> None:
    """One request through the middleware, its commit callbacks run as a commit would."""
    middleware = RefreshAfterChangeMiddleware(lambda request: HttpResponse(status=status))
    with capture(execute=True):
        middleware(getattr(RequestFactory(), method)(path))


def test_it_refreshes_the_figures_after_a_change_at_most_once_a_minute(
    personas, django_capture_on_commit_callbacks
):
    _request(
        "post", "/florence/manage/applications/1/decide/", 302, django_capture_on_commit_callbacks
    )
    assert _refreshes() == 1
    assert Refresh.objects.get().kind == "recent"
    _request("post", "/florence/events/1/register/", 302, django_capture_on_commit_callbacks)
    assert _refreshes() == 1  # within the minute: the same refresh covers it
    cache.delete(SOON_KEY)  # a minute later
    _request("post", "/florence/events/1/checkin/", 200, django_capture_on_commit_callbacks)
    assert _refreshes() == 2


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/florence/manage/stats/", 200),  # reading changes nothing
        ("post", "/florence/events/1/register/", 400),  # a refused form changed nothing
        ("post", "/florence/events/1/register/", 404),
        ("post", "/accounts/login/", 302),  # signing in moves no figure
        ("post", "/i18n/setlang/", 302),
    ],
)
def test_it_leaves_the_figures_alone_when_nothing_changed(
    personas, django_capture_on_commit_callbacks, method, path, status
):
    _request(method, path, status, django_capture_on_commit_callbacks)
    assert _refreshes() == 0
    assert cache.get(SOON_KEY) is None


def test_it_refreshes_after_a_real_change_in_the_site(
    personas, client, django_capture_on_commit_callbacks
):
    """End to end: the coordinator records Bob's renewal; once it commits, the figures are
    recomputed in-process (no worker in the default run)."""
    with scopes_disabled():
        bob = Membership.objects.get(network=personas.florence, user=personas.bob)
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage_membership_renew", kwargs={"network_slug": "florence",
                                                       "membership_id": bob.pk})
        )  # fmt: skip
    assert response.status_code == 302
    assert _refreshes() == 1


def test_it_does_not_schedule_a_second_refresh_after_the_button(
    personas, client, django_capture_on_commit_callbacks, monkeypatch
):
    ran: list[int] = []
    monkeypatch.setattr("clubin.stats.tasks._schedule", lambda: ran.append(1))
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FLORENCE_REFRESH).status_code == 302
        assert client.post("/florence/manage/members/999999/renew/").status_code == 404
    assert ran == []  # the button refreshed already; a refused change changed nothing
    assert _refreshes() == 1


def test_it_refreshes_now_for_the_coordinator(personas, client):
    client.force_login(personas.alice)
    response = client.post(FLORENCE_REFRESH, {"query": "period=12m&region=Toscana"})
    assert response.status_code == 302
    assert response["Location"] == "/florence/manage/stats/?period=12m&region=Toscana"
    assert _refreshes() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'action="{FLORENCE_REFRESH}"' in page.content.decode()
    assert any("aggiornati" in str(m) for m in page.context["messages"])


def test_it_refreshes_now_for_staff(personas, client):
    client.force_login(personas.fiona)
    response = client.post(FEDERATION_REFRESH, {"query": "sort=-members_active"})
    assert response.status_code == 302
    assert response["Location"] == "/federation/?sort=-members_active"
    assert _refreshes() == 1
    assert f'action="{FEDERATION_REFRESH}"' in client.get("/federation/").content.decode()


def test_it_keeps_the_button_from_everyone_else(personas, client):
    assert client.post(FEDERATION_REFRESH)["Location"].startswith("/accounts/login/")
    assert client.post(FLORENCE_REFRESH)["Location"].startswith("/accounts/login/")
    client.force_login(personas.bob)  # a member, not a coordinator
    assert client.post(FLORENCE_REFRESH).status_code == 403
    assert client.post(FEDERATION_REFRESH).status_code == 404
    client.force_login(personas.charlie)  # VenetoIN's coordinator
    assert client.post(FLORENCE_REFRESH).status_code == 404
    client.force_login(personas.dave)
    assert client.post(FLORENCE_REFRESH).status_code == 404
    assert _refreshes() == 0


def test_it_only_refreshes_on_post(personas, client):
    client.force_login(personas.alice)
    assert client.get(FLORENCE_REFRESH).status_code == 405
    client.force_login(personas.fiona)
    assert client.get(FEDERATION_REFRESH).status_code == 405
    assert _refreshes() == 0


def test_it_limits_how_often_a_person_refreshes(personas, client):
    client.force_login(personas.alice)
    answers = [client.post(FLORENCE_REFRESH).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert _refreshes() == 1  # the second and third came right after the first: nothing to redo


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("", "/florence/manage/stats/"),
        ("next=https://evil.example/&period=90d", "/florence/manage/stats/?period=90d"),
        ("period=" + "x" * 400, "/florence/manage/stats/?period=" + "x" * 80),
        ("%%%&&==", "/florence/manage/stats/"),
        ("a" * 5000, "/florence/manage/stats/"),
    ],
)
def test_it_goes_back_to_the_dashboard_whatever_it_is_sent(personas, client, query, location):
    client.force_login(personas.alice)
    response = client.post(FLORENCE_REFRESH, {"query": query})
    assert response.status_code == 302
    assert response["Location"] == location
    assert client.get(location).status_code == 200  # a wrong period is a form error, not a 500
