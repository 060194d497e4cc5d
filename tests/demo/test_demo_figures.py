"""The dashboards on the demo as `make run` loads it: two years of figures, every chart with
something in it, and only the alerts the story means (loaded once for the module)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone
from django_scopes import scopes_disabled

from clubin.stats.models import NetworkDay
from clubin.stats.selectors import dashboard, period_for
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def figures(demo_federation, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        for command in ("load_demo_events", "load_demo_ties"):
            call_command(command, force=True, stdout=io.StringIO())
        call_command("stats_rebuild", stdout=io.StringIO())


def test_it_rolls_up_two_years_of_days(figures):
    today = timezone.localdate()
    with scopes_disabled():
        span = NetworkDay.objects.aggregate(first=Min("day"), last=Max("day"))
        months = {d.strftime("%Y-%m") for d in NetworkDay.objects.values_list("day", flat=True)}
    assert span["last"] == today
    assert today - timedelta(days=760) <= span["first"] <= today - timedelta(days=730)
    assert len(months) >= 24


def test_it_fills_every_chart_on_first_run(figures):
    board = dashboard(period=period_for("12m"))
    florence = next(row for row in board.rows if row.slug == "florence")
    assert florence.members_active == 140 and florence.aspiring == 700
    members = board.charts["members"]["FlorenceIN"]
    assert members[-1] == 140 and members[0] < members[-1]  # growth, not a flat line
    assert len(set(members)) > 6
    for flow in ("applications", "approved", "rejected"):
        assert sum(1 for n in board.charts[flow][:-1] if n) >= 10, flow  # decisions every month
    funnel = dict(
        zip(board.charts["funnel"]["steps"], board.charts["funnel"]["values"], strict=True)
    )
    assert funnel["applications"] > funnel["approved"] > 0
    assert funnel["first_event"] > 0 and funnel["active_after_90"] > 0
    assert florence.events_held >= 11 and 0.7 <= (florence.attendance_rate or 0) <= 0.95
    assert florence.median_days is not None and florence.approval_rate is not None


def test_it_raises_only_the_alerts_of_the_story(figures):
    board = dashboard(period=period_for("30d"))
    alerts = {(a.kind, a.network) for a in board.alerts}
    assert {network for kind, network in alerts if kind == "no_event"} == {"MarcheIN"}
    assert {network for kind, network in alerts if kind == "waiting"} == {"FlorenceIN"}
    # Cards run to the end of the year: in January, those who did not renew have just left.
    if timezone.localdate().month != 1:
        assert not [network for kind, network in alerts if kind == "membership_fell"]


def test_it_shows_the_coordinator_a_dashboard_with_history(figures, client):
    client.force_login(User.objects.get(email="coordinatore.firenze@clubin.example"))
    response = client.get("/florence/manage/stats/?period=12m")
    assert response.status_code == 200
    assert 'action="/florence/manage/stats/refresh/"' in response.content.decode()
    assert response.context["board"].charts["members"]["FlorenceIN"][0] > 0
