"""Renewals: the coordinator's "renewal paid", the reminder 30 days ahead, the lapse after grace."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from members import tasks
from members.models import DecisionLogEntry, MembershipApplication, User
from members.services import renewals
from networks.jobs import JobFailed
from networks.models import Membership, Network
from outbox.models import OutboxEmail
from tests.conftest import make_user

LOG = DecisionLogEntry.Action


def on(day: date):
    """Travel to 09:00 in Rome on that day, when the beat sends reminders."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=False
    )


def _membership(network: Network, user: User) -> Membership:
    with scope(network=network):
        return Membership.objects.get(user=user)


def _set(membership: Membership, **fields) -> Membership:
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    return membership


def _log(network: Network, action: str) -> list[DecisionLogEntry]:
    with scope(network=network):
        return list(DecisionLogEntry.objects.filter(network=network, action=action))


def _renew_url(network: Network, membership: Membership) -> str:
    return reverse(
        "manage_membership_renew",
        kwargs={"network_slug": network.slug, "membership_id": membership.pk},
    )


# --- Renewal paid ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_renews_a_card_to_the_end_of_next_year(client, personas):
    florence = personas.florence
    bob = _set(_membership(florence, personas.bob), valid_until=date(2026, 12, 31))
    with on(date(2026, 12, 10)):
        client.force_login(personas.alice)
        response = client.post(_renew_url(florence, bob))
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "manage_members", kwargs={"network_slug": "florence"}
        )
        bob.refresh_from_db()
        assert bob.valid_until == date(2027, 12, 31) and bob.status == "active"
        [entry] = _log(florence, LOG.RENEWED)
        assert entry.actor == personas.alice and entry.membership_id == bob.pk

        # A second click buys nothing more and records nothing more.
        client.post(_renew_url(florence, bob))
        bob.refresh_from_db()
        assert bob.valid_until == date(2027, 12, 31)
        assert len(_log(florence, LOG.RENEWED)) == 1


@pytest.mark.django_db
def test_it_brings_back_a_lapsed_membership_for_this_year(client, personas):
    florence = personas.florence
    bob = _set(_membership(florence, personas.bob), valid_until=date(2026, 12, 31), status="lapsed")
    with on(date(2027, 3, 5)):
        client.force_login(personas.alice)
        assert client.post(_renew_url(florence, bob)).status_code == 302
    bob.refresh_from_db()
    assert bob.status == "active" and bob.valid_until == date(2027, 12, 31)
    assert len(_log(florence, LOG.RENEWED)) == 1


@pytest.mark.django_db
def test_it_keeps_a_full_network_full(client, personas):
    florence = personas.florence
    bob = _set(_membership(florence, personas.bob), valid_until=date(2026, 1, 31), status="lapsed")
    florence.membership_cap = 1  # Alice holds the only place
    florence.save()
    client.force_login(personas.alice)
    assert client.post(_renew_url(florence, bob)).status_code == 302
    bob.refresh_from_db()
    assert bob.status == "lapsed" and bob.valid_until == date(2026, 1, 31)
    assert _log(florence, LOG.RENEWED) == []


@pytest.mark.django_db
def test_it_does_not_renew_a_suspended_membership(client, personas):
    florence = personas.florence
    bob = _set(_membership(florence, personas.bob), status="suspended")
    client.force_login(personas.alice)
    assert client.post(_renew_url(florence, bob)).status_code == 302
    bob.refresh_from_db()
    assert bob.status == "suspended" and bob.valid_until is None


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    bob = _membership(personas.florence, personas.bob)
    client.force_login(personas.charlie)
    # A FlorenceIN id through VenetoIN, which Charlie coordinates, and through FlorenceIN.
    assert client.post(_renew_url(personas.veneto, bob)).status_code == 404
    assert client.post(_renew_url(personas.florence, bob)).status_code == 404
    bob.refresh_from_db()
    assert bob.valid_until is None
    assert _log(personas.florence, LOG.RENEWED) == _log(personas.veneto, LOG.RENEWED) == []


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    bob = _membership(personas.florence, personas.bob)
    client.force_login(personas.bob)
    assert client.post(_renew_url(personas.florence, bob)).status_code == 403
    bob.refresh_from_db()
    assert bob.valid_until is None


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_login(client, personas):
    bob = _membership(personas.florence, personas.bob)
    response = client.post(_renew_url(personas.florence, bob))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_renews_on_post_only(client, personas):
    bob = _membership(personas.florence, personas.bob)
    client.force_login(personas.alice)
    assert client.get(_renew_url(personas.florence, bob)).status_code == 405
    bob.refresh_from_db()
    assert bob.valid_until is None


@pytest.mark.django_db
def test_it_offers_renewal_on_the_roster(client, personas):
    bob = _set(_membership(personas.florence, personas.bob), valid_until=date(2026, 12, 31))
    client.force_login(personas.alice)
    with on(date(2026, 12, 10)):
        body = client.get("/florence/manage/members/").content.decode()
    assert f'action="{_renew_url(personas.florence, bob)}"' in body
    assert "31/12/2026" in body  # Italian short date by default


# --- Reminders -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_reminds_once_thirty_days_before_expiry(personas):
    florence = personas.florence
    florence.card_prefix = "FI"
    florence.save()
    bob = _set(_membership(florence, personas.bob), valid_until=date(2027, 3, 31))
    reminders = OutboxEmail.objects.filter(template="renewal-reminder")
    with on(date(2027, 2, 28)):  # 31 days before
        tasks.renewal_reminders_send()
    assert reminders.count() == 0
    with on(date(2027, 3, 1)):  # 30 days before
        tasks.renewal_reminders_send()
        tasks.renewal_reminders_send()  # the beat ran twice: still one email
    [email] = reminders
    assert email.to == "bob@example.com" and email.network_id == florence.pk
    assert email.idempotency_key == f"renewal-reminder:{bob.pk}:2027-03-31"
    assert "FI-000002" in email.body_text
    with on(date(2027, 3, 2)):  # 29 days before: nothing new
        tasks.renewal_reminders_send()
    assert reminders.count() == 1


@pytest.mark.django_db
def test_it_catches_up_a_reminder_the_beat_missed(personas):
    _set(_membership(personas.florence, personas.bob), valid_until=date(2027, 3, 31))
    with on(date(2027, 3, 10)):
        tasks.renewal_reminders_send()
    assert (
        OutboxEmail.objects.filter(template="renewal-reminder", to="bob@example.com").count() == 1
    )


@pytest.mark.django_db
def test_it_reminds_again_after_a_renewal_only_for_the_new_date(personas):
    bob = _set(_membership(personas.florence, personas.bob), valid_until=date(2027, 3, 31))
    with on(date(2027, 3, 1)):
        tasks.renewal_reminders_send()
    _set(bob, valid_until=date(2028, 3, 31))
    with on(date(2027, 3, 2)):
        tasks.renewal_reminders_send()
    with on(date(2028, 3, 1)):
        tasks.renewal_reminders_send()
    keys = OutboxEmail.objects.filter(template="renewal-reminder").values_list(
        "idempotency_key", flat=True
    )
    assert sorted(keys) == [f"renewal-reminder:{bob.pk}:2027-03-31",
                            f"renewal-reminder:{bob.pk}:2028-03-31"]  # fmt: skip


@pytest.mark.django_db
def test_it_does_not_remind_lapsed_or_open_ended_cards(personas):
    _set(
        _membership(personas.florence, personas.bob), valid_until=date(2027, 3, 31), status="lapsed"
    )
    # Alice and Charlie have no expiry date at all.
    with on(date(2027, 3, 1)):
        assert tasks.renewal_reminders_send() == 0
    assert not OutboxEmail.objects.filter(template="renewal-reminder").exists()


# --- Lapsing ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_lapses_exactly_after_the_grace_period(personas, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    florence = personas.florence
    bob = _set(_membership(florence, personas.bob), valid_until=date(2027, 1, 31))
    with on(date(2027, 3, 2)):  # the 30th day of grace
        tasks.memberships_lapse()
    bob.refresh_from_db()
    assert bob.status == "active"
    with on(date(2027, 3, 3)):
        tasks.memberships_lapse()
        tasks.memberships_lapse()  # a rerun changes nothing
    bob.refresh_from_db()
    assert bob.status == "lapsed"
    [entry] = _log(florence, LOG.LAPSED)
    assert entry.membership_id == bob.pk and entry.actor is None
    assert _membership(florence, personas.alice).status == "active"  # no expiry date


@pytest.mark.django_db
def test_it_takes_member_pages_away_from_lapsed_members(client, personas, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    florence = personas.florence
    _set(_membership(florence, personas.alice), valid_until=date(2027, 1, 31))
    _set(_membership(florence, personas.bob), valid_until=date(2027, 1, 31))
    with on(date(2027, 3, 3)):
        client.force_login(personas.alice)
        assert client.get("/florence/manage/").status_code == 200
        tasks.memberships_lapse()
        assert client.get("/florence/manage/").status_code == 403  # a former coordinator
        client.force_login(personas.bob)
        assert (
            client.get(reverse("directory", kwargs={"network_slug": "florence"})).status_code == 403
        )
        assert client.get("/florence/").status_code == 200  # the public page stays open


@pytest.mark.django_db
def test_it_gives_a_lapsed_place_to_the_first_approved_and_waiting(personas, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    florence = personas.florence
    florence.membership_cap = 2  # Alice and Bob
    florence.save()
    _set(_membership(florence, personas.bob), valid_until=date(2027, 1, 31))
    erin = make_user("erin@example.com", first_name="Erin")
    on_hold_user = make_user("hold@example.com")
    with on(date(2027, 2, 1)):
        # On hold longest, but a coordinator's hold: a freed place never admits it.
        on_hold = _waitlist(florence, on_hold_user, hours_ago=72, status="waitlisted")
        first = _waitlist(florence, erin, hours_ago=48)
        second = _waitlist(florence, personas.dave, hours_ago=24)
    with on(date(2027, 3, 3)):
        tasks.memberships_lapse()
    for application in (on_hold, first, second):
        application.refresh_from_db()
    assert (on_hold.status, first.status, second.status) == (
        "waitlisted", "approved", "approved_waiting",
    )  # fmt: skip
    erin_card = _membership(florence, erin)
    assert erin_card.status == "active" and erin_card.valid_until == date(2027, 12, 31)
    assert erin_card.card_number == 3  # the next number, Bob's stays his
    assert OutboxEmail.objects.filter(
        to="erin@example.com", template="application-approved"
    ).exists()


@pytest.mark.django_db
def test_it_lapses_in_other_networks_when_one_fails(personas, settings, monkeypatch):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    florence = personas.florence
    florence.membership_cap = 5
    florence.save()
    bob = _set(_membership(florence, personas.bob), valid_until=date(2027, 1, 31))
    charlie = _set(_membership(personas.veneto, personas.charlie), valid_until=date(2027, 1, 31))

    def broken_promote(*, network):
        raise RuntimeError("waitlist unavailable")

    monkeypatch.setattr(renewals, "places_fill", broken_promote)
    with on(date(2027, 3, 3)), pytest.raises(JobFailed, match="florence"):
        tasks.memberships_lapse()
    bob.refresh_from_db()
    charlie.refresh_from_db()
    assert bob.status == "active"  # rolled back with the failed promotion; tomorrow retries both
    assert charlie.status == "lapsed"
    assert _log(florence, LOG.LAPSED) == []


def _waitlist(
    network: Network, user: User, *, hours_ago: int, status: str = "approved_waiting"
) -> MembershipApplication:
    now = timezone.now()
    with scope(network=network):
        return MembershipApplication.objects.create(
            network=network,
            user=user,
            motivation="Let me in",
            status=status,
            waitlisted_at=now - timedelta(hours=hours_ago),
            privacy_version=settings.PRIVACY_NOTICE_VERSION,
            privacy_acknowledged_at=now,
        )
