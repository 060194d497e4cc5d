"""The demo federation as `make run` loads it, loaded once for the module (see conftest.py)."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from demo.management.commands.load_demo import LOGINS
from members.models import DecisionLogEntry, Endorsement, MembershipApplication, Profile, User
from networks.models import Membership, Network

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_federation")]


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return dict(Network.objects.annotate(n=Count("memberships")).values_list("slug", "n"))


def _holders() -> dict[str, int]:
    """Card-holders today: active memberships with a valid card."""
    today = timezone.localdate()
    valid = Q(memberships__status="active", memberships__valid_until__gte=today)
    with scopes_disabled():
        rows = Network.objects.annotate(n=Count("memberships", filter=valid))
        return dict(rows.values_list("slug", "n"))


def test_it_loads_the_demo_federation_once_however_often_it_runs():
    first = (_counts(), User.objects.count(), EmailAddress.objects.count(), Profile.objects.count())
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert (
        _counts(),
        User.objects.count(),
        EmailAddress.objects.count(),
        Profile.objects.count(),
    ) == first


def test_it_holds_the_federation_of_the_story():
    counts, holders = _counts(), _holders()
    assert set(counts) == {"milan", "florence", "veneto", "cagliari", "bologna", "marche"}
    assert holders["florence"] == 140
    assert counts["florence"] > 140  # and those who did not renew keep their card number
    assert all(n < 140 for slug, n in holders.items() if slug != "florence")
    assert set(Network.objects.filter(status="forming").values_list("slug", flat=True)) == {
        "bologna",
        "marche",
    }
    assert all(n.launched_on and n.description and n.region for n in Network.objects.all())
    with scopes_disabled():
        cards = list(
            Membership.objects.filter(network__slug="florence").values_list(
                "card_number", flat=True
            )
        )
        assert sorted(n or 0 for n in cards) == list(range(1, counts["florence"] + 1))
        both = Membership.objects.filter(
            role="coordinator", network__slug__in=["bologna", "marche"]
        )
        assert both.values("user").distinct().count() == 1  # one coordinator for both


def test_it_creates_working_demo_logins(client):
    for login in LOGINS:
        assert client.login(email=login.email, password="clubin-demo"), login.email
        assert EmailAddress.objects.get(email=login.email).verified
    assert User.objects.get(email="staff@clubin.example").is_staff
    client.login(email="coordinatore.firenze@clubin.example", password="clubin-demo")
    assert client.get("/florence/manage/").status_code == 200
    assert client.get("/veneto/manage/").status_code == 404
    client.login(email="ospite@clubin.example", password="clubin-demo")
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="ospite@clubin.example").exists()


def test_it_invents_believable_people():
    profile = (
        Profile.objects.select_related("user").filter(user__email__endswith="@soci.example").first()
    )
    assert profile is not None
    assert profile.company and profile.sector and profile.job_title and profile.user.last_name
    assert not User.objects.exclude(email__regex=r"@(soci|candidati|clubin)\.example$").exists()


def test_it_fills_the_queues_with_aspiring_members():
    with scopes_disabled():
        florence = MembershipApplication.objects.filter(network__slug="florence")
        assert florence.filter(status__in=MembershipApplication.OPEN).count() == 700
        assert florence.filter(status="waitlisted").exists()
        assert florence.exclude(sponsor=None).exists()
        assert Endorsement.objects.filter(network__slug="florence").exists()
        assert all(a.answers for a in florence[:20])
        others = MembershipApplication.objects.exclude(network__slug="florence")
        assert 0 < others.filter(status__in=MembershipApplication.OPEN).count() < 700
        aspirante = MembershipApplication.objects.get(user__email="aspirante@clubin.example")
        assert aspirante.status == "pending" and aspirante.network.slug == "florence"
        assert Network.objects.get(slug="florence").card_prefix == "FI"


def test_it_tells_two_years_relative_to_today():
    today = timezone.localdate()
    with scopes_disabled():
        launch = Network.objects.get(slug="florence").launched_on
        assert launch is not None and 690 <= (today - launch).days <= 740
        assert launch.weekday() == 3  # the networks meet on Thursdays
        first = Membership.objects.order_by("joined_on").values_list("joined_on", flat=True)[0]
        assert (today - first).days <= 745
        assert not Membership.objects.filter(joined_on__gt=today).exists()
        founders = Membership.objects.filter(network__slug="florence", joined_on=launch)
        assert founders.count() >= 50  # the launch evening
        months = {d.strftime("%Y-%m") for d in Membership.objects.filter(
            network__slug="florence").values_list("joined_on", flat=True)}  # fmt: skip
        assert len(months) >= 18  # growth over the months, not one day


def test_it_spreads_the_decisions_over_the_months():
    now = timezone.now()
    A = MembershipApplication.Status
    with scopes_disabled():
        decided = MembershipApplication.objects.filter(
            network__slug="florence", status__in=[A.APPROVED, A.REJECTED]
        )
        assert decided.filter(status=A.APPROVED).count() >= 140
        assert decided.filter(status=A.REJECTED).count() >= 50
        assert not decided.filter(decided_at__gt=now).exists()
        assert not decided.filter(decided_at__lt=F("submitted_at")).exists()
        months = {d.strftime("%Y-%m") for d in decided.values_list("decided_at", flat=True) if d}
        assert len(months) >= 20
        assert DecisionLogEntry.objects.filter(network__slug="florence", action="rejected").exists()
        waitlisted = MembershipApplication.objects.filter(status=A.WAITLISTED)
        assert not waitlisted.filter(waitlisted_at__lt=F("submitted_at")).exists()
        assert not MembershipApplication.objects.filter(submitted_at__gt=now).exists()


def test_it_renews_most_cards_and_lapses_some():
    today = timezone.localdate()
    with scopes_disabled():
        florence = Membership.objects.filter(network__slug="florence")
        lapsed = florence.exclude(valid_until__gte=today)
        assert lapsed.count() > 0
        assert all(m.valid_until and m.valid_until.month == 12 for m in lapsed)
        renewed = DecisionLogEntry.objects.filter(network__slug="florence", action="renewed")
        assert renewed.exists()
        assert not renewed.filter(created_at__gt=timezone.now()).exists()
