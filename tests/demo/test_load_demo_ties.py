"""The demo business between FlorenceIN's members, loaded once for the module (twice, in fact).

The demo federation, its events and the business are loaded by a module-scoped fixture and rolled
back after the last test (see conftest.py).
"""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from demo.management.commands.load_demo_ties import MEMBER_FLORENCE, NOTARY
from events.models import Event, Registration
from members.models import User
from networks.models import Network
from outbox.models import OutboxEmail
from ties.models import (
    Answer,
    Connection,
    EventMeet,
    Introduction,
    OneToOne,
    Origin,
    Post,
    Referral,
)

pytestmark = pytest.mark.django_db
R = Referral.Status
Reply = Introduction.Reply


def _load_ties() -> str:
    out = io.StringIO()
    call_command("load_demo_ties", force=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(demo_federation, django_db_blocker) -> list[str]:
    """The whole demo as `make run` loads it, with the business loaded twice."""
    with django_db_blocker.unblock():
        call_command("load_demo_events", force=True, stdout=io.StringIO())
        return [_load_ties(), _load_ties()]


def _counts() -> tuple[int, ...]:
    with scopes_disabled():
        models = (Post, Answer, Connection, Introduction, OneToOne, Referral, EventMeet)
        return (*(m.objects.count() for m in models), OutboxEmail.objects.count())


def test_it_loads_the_business_as_designed(demo):
    florence = Network.objects.get(slug="florence")
    with scopes_disabled():
        posts = Post.objects.filter(network=florence)
        assert posts.count() == 8
        assert posts.filter(reach=Post.Reach.FEDERATION).count() == 1
        assert posts.filter(status=Post.Status.CLOSED, helpful_answer__isnull=False).count() == 3
        assert posts.filter(answers__isnull=False).distinct().count() == 7
        intros = Introduction.objects.filter(network=florence)
        accepted = intros.filter(first_reply=Reply.ACCEPTED, second_reply=Reply.ACCEPTED)
        assert (intros.count(), accepted.count()) == (3, 2)
        meetings = OneToOne.objects.filter(network=florence)
        assert (meetings.count(), meetings.filter(confirmed_at__isnull=False).count()) == (3, 2)
        referrals = Referral.objects.filter(network=florence)
        assert sorted(referrals.values_list("status", flat=True)) == sorted(
            [R.WON, R.WON, R.MEETING, R.LOST]
        )
        assert all(r.won_value for r in referrals.filter(status=R.WON))
        assert EventMeet.objects.count() == 2
        origins = set(Connection.objects.values_list("origin", flat=True))
        assert {Origin.ASK, Origin.INTRODUCTION, Origin.REFERRAL, Origin.EVENT} <= origins
    assert "Demo business: loaded." in demo[0]
    assert "already there" in demo[1]


def test_it_dates_the_business_over_the_last_months(demo):
    recent = timezone.now() - timedelta(days=1)
    with scopes_disabled():
        assert not Post.objects.filter(created_at__gt=recent).exists()
        assert not Referral.objects.filter(created_at__gt=recent).exists()
        assert not Connection.objects.filter(created_at__gt=recent).exists()
        oldest = Post.objects.order_by("created_at").first()
    assert oldest is not None and oldest.created_at < timezone.now() - timedelta(days=90)


def test_it_adds_nothing_when_run_again(demo):
    before = _counts()
    assert "already there" in _load_ties()
    assert _counts() == before


def test_it_sends_no_demo_email_to_anyone(demo):
    with scopes_disabled():
        ties_mail = OutboxEmail.objects.filter(template__startswith="ties-")
        assert ties_mail.count() >= 10  # the services did queue them: answers, introductions…
        assert not ties_mail.filter(status=OutboxEmail.Status.QUEUED).exists()
    assert mail.outbox == []


def test_it_shows_the_persona_their_business_on_me(demo, client):
    persona = User.objects.get(email=MEMBER_FLORENCE)
    with scopes_disabled():
        mine = Connection.objects.filter(Q(user_low=persona) | Q(user_high=persona))
        others = [c.user_high if c.user_low_id == persona.pk else c.user_low for c in mine]
        waiting = Introduction.objects.get(
            Q(first_reply=Reply.PENDING) | Q(second_reply=Reply.PENDING)
        )
    assert len(others) >= 3
    client.force_login(persona)
    with translation.override("it"):
        page = client.get("/me/").content.decode()
    assert "I miei contatti" in page
    assert all(other.get_full_name() in page for other in others)
    assert "1 nuova risposta" in page  # the badge: their open offer has an unread answer
    assert reverse("ties_introduction", kwargs={"introduction_id": waiting.pk}) in page
    referrals = client.get("/me/referrals/")
    assert referrals.status_code == 200
    assert "agenzia di viaggi" in referrals.content.decode()  # the one they passed on
    with scopes_disabled():
        assert Post.objects.filter(author=persona, title=NOTARY).count() == 1


def test_it_lists_most_of_those_coming_to_the_next_evening(demo, client):
    persona = User.objects.get(email=MEMBER_FLORENCE)
    with scopes_disabled():
        event = (
            Event.objects.filter(
                network__slug="florence", status=Event.Status.PUBLISHED,
                starts_at__gt=timezone.now(),
            )
            .order_by("starts_at")
            .first()
        )  # fmt: skip
        assert event is not None
        places = Registration.objects.filter(event=event, status="confirmed", user__isnull=False)
        listed = places.filter(listed=True)
        assert listed.filter(user=persona).exists()
        assert places.count() > listed.count() > places.count() / 3
        someone = listed.exclude(user=persona).select_related("user").first()
    assert someone is not None and someone.user is not None
    client.force_login(persona)
    with translation.override("it"):
        page = client.get(f"/florence/events/{event.pk}/").content.decode()
    assert "Chi partecipa" in page
    assert someone.user.get_full_name() in page
