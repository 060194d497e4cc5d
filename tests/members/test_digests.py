"""Coordinators' daily digest and weekly reminder, each sent once per period."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from members.services import digests
from members.services.digests import applications_digest_send, applications_reminder_send
from networks.jobs import JobFailed
from networks.models import Membership
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.members.factories import applicant, application


@pytest.mark.django_db
def test_it_sends_the_daily_digest_to_those_who_chose_it(personas):
    dora = make_user("dora@example.com")
    with scope(network=personas.florence):
        Membership.objects.create(
            network=personas.florence,
            user=dora,
            role="coordinator",
            card_number=3,
            application_alerts="daily",
        )
    application(personas.florence, applicant(1))
    application(personas.florence, applicant(2), submitted_at=timezone.now() - timedelta(days=3))
    assert applications_digest_send() == 1
    email = OutboxEmail.objects.get(template="applications-digest")
    assert email.to == "dora@example.com"
    assert "1" in email.subject and "FlorenceIN" in email.subject
    assert applications_digest_send() == 0  # the same day again: nothing new


@pytest.mark.django_db
def test_it_sends_no_digest_on_a_quiet_day(personas):
    with scope(network=personas.florence):
        Membership.objects.filter(user=personas.alice).update(application_alerts="daily")
    application(personas.florence, applicant(1), submitted_at=timezone.now() - timedelta(days=2))
    assert applications_digest_send() == 0


@pytest.mark.django_db
def test_it_reminds_every_coordinator_of_week_old_applications(personas):
    application(personas.florence, applicant(1), submitted_at=timezone.now() - timedelta(days=8))
    application(personas.florence, applicant(2), submitted_at=timezone.now() - timedelta(days=6))
    application(personas.veneto, applicant(3), submitted_at=timezone.now() - timedelta(days=2))
    assert applications_reminder_send() == 1
    email = OutboxEmail.objects.get(template="applications-reminder")
    assert email.to == "alice@example.com" and email.subject.startswith("FlorenceIN: 1 ")
    assert applications_reminder_send() == 0  # the same week


@pytest.mark.django_db
def test_it_reminds_other_networks_when_one_fails(personas, monkeypatch):
    application(personas.florence, applicant(1), submitted_at=timezone.now() - timedelta(days=8))
    application(personas.veneto, applicant(2), submitted_at=timezone.now() - timedelta(days=8))
    real_url = digests._queue_url

    def broken_in_florence(network):
        if network.slug == "florence":
            raise RuntimeError("no URL for florence")
        return real_url(network)

    monkeypatch.setattr(digests, "_queue_url", broken_in_florence)
    with pytest.raises(JobFailed, match="florence"):
        applications_reminder_send()
    sent = OutboxEmail.objects.filter(template="applications-reminder")
    assert list(sent.values_list("to", flat=True)) == ["charlie@example.com"]


@pytest.mark.django_db
def test_it_writes_the_delay_the_rule_sets(personas, monkeypatch):
    monkeypatch.setattr(digests, "STALE_AFTER", timedelta(days=10))
    application(personas.florence, applicant(1), submitted_at=timezone.now() - timedelta(days=11))
    assert applications_reminder_send() == 1
    email = OutboxEmail.objects.get(template="applications-reminder")
    assert " 10 " in email.subject and " 10 " in email.body_text
