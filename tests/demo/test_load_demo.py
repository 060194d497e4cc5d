"""The demo federation as `make run` loads it, loaded once for the module (see conftest.py)."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count
from django_scopes import scopes_disabled

from demo.management.commands.load_demo import LOGINS
from members.models import Endorsement, MembershipApplication, Profile, User
from networks.models import Membership, Network

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_federation")]


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return dict(Network.objects.annotate(n=Count("memberships")).values_list("slug", "n"))


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
    counts = _counts()
    assert set(counts) == {"milan", "florence", "veneto", "cagliari", "bologna", "marche"}
    assert counts["florence"] == 140
    assert all(n < 140 for slug, n in counts.items() if slug != "florence")
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
        assert sorted(n or 0 for n in cards) == list(range(1, 141))  # gap-free
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
        assert florence.count() == 700
        assert florence.filter(status="waitlisted").exists()
        assert florence.exclude(sponsor=None).exists()
        assert Endorsement.objects.filter(network__slug="florence").exists()
        assert all(a.answers for a in florence[:20])
        others = MembershipApplication.objects.exclude(network__slug="florence")
        assert 0 < others.count() < 700
        aspirante = MembershipApplication.objects.get(user__email="aspirante@clubin.example")
        assert aspirante.status == "pending" and aspirante.network.slug == "florence"
        assert Network.objects.get(slug="florence").card_prefix == "FI"
