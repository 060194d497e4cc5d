"""Coordinators set their network's questions, intake rules and their own alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from members.models import ApplicationQuestion, MembershipApplication
from networks.models import Membership, Network
from outbox.models import OutboxEmail
from tests.members.factories import applicant, application

QUESTIONS = "/florence/manage/questions/"
INTAKE = {"language": "it", "member_invite_quota": 10, "invitation_reminder_days": 7}
SETTINGS = "/florence/manage/settings/"


@pytest.mark.django_db
def test_it_works(client, personas):
    client.force_login(personas.alice)
    assert client.get(QUESTIONS).status_code == 200
    response = client.post(
        QUESTIONS,
        {
            "label": "Settore preciso?",
            "kind": "short_text",
            "required": "on",
            "position": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302
    with scope(network=personas.florence):
        question = ApplicationQuestion.objects.get()
    assert (question.label, question.network) == ("Settore preciso?", personas.florence)
    client.post(
        QUESTIONS,
        {"question": question.pk, "label": "Settore?", "kind": "short_text", "position": 1},
    )
    question.refresh_from_db()
    assert (question.label, question.required, question.active) == ("Settore?", False, False)


@pytest.mark.django_db
def test_it_needs_two_choices_for_a_single_choice_question(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        QUESTIONS, {"label": "Taglia?", "kind": "choice", "choices": "una sola", "position": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["choices"]


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    with scope(network=personas.veneto):
        question = ApplicationQuestion.objects.create(network=personas.veneto, label="Veneta")
    client.force_login(personas.alice)
    assert client.get(f"{QUESTIONS}?edit={question.pk}").status_code == 404
    response = client.post(
        QUESTIONS, {"question": question.pk, "label": "Presa!", "kind": "short_text", "position": 1}
    )
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.label == "Veneta"
    client.force_login(personas.charlie)
    assert client.get(SETTINGS).status_code == 404


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(QUESTIONS).status_code == 403
    assert client.post(SETTINGS, {**INTAKE, "form": "intake", "intake_open": ""}).status_code == 403
    personas.florence.refresh_from_db()
    assert personas.florence.intake_open


@pytest.mark.django_db
def test_it_closes_intake_and_caps_membership(client, personas):
    client.force_login(personas.alice)
    client.post(
        SETTINGS,
        {
            **INTAKE,
            "form": "intake",
            "membership_cap": "150",
            "one_per_sector": "on",
            "card_prefix": "fi",
        },
    )
    personas.florence.refresh_from_db()
    assert (personas.florence.intake_open, personas.florence.membership_cap) == (False, 150)
    assert personas.florence.one_per_sector and personas.florence.card_prefix == "FI"


def _statuses() -> dict[int, str]:
    with scopes_disabled():
        return dict(MembershipApplication.objects.values_list("pk", "status"))


def _unchanged(network, **changes) -> dict:
    """The intake form as the page posts it back, with the current values unless changed."""
    values = {
        "form": "intake", "membership_cap": network.membership_cap or "",
        "card_prefix": network.card_prefix, "language": network.language,
        "member_invite_quota": network.member_invite_quota,
        "invitation_reminder_days": network.invitation_reminder_days,
        **({"intake_open": "on"} if network.intake_open else {}),
        **({"one_per_sector": "on"} if network.one_per_sector else {}),
    }  # fmt: skip
    return {**values, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("changes", [{}, {"language": "en"}], ids=["unchanged", "language"])
@pytest.mark.parametrize("cap", [None, 5], ids=["no-cap", "cap-with-room"])
def test_it_never_decides_an_application_when_settings_are_saved(client, personas, changes, cap):
    personas.florence.membership_cap = cap
    personas.florence.save()
    on_hold, pending = application(personas.florence, applicant(1)), applicant(2)
    pending_app = application(personas.florence, pending)
    client.force_login(personas.alice)
    decide = f"/florence/manage/applications/{on_hold.pk}/decide/"
    assert client.post(decide, {"action": "waitlisted"}).status_code == 302
    before, mail = _statuses(), OutboxEmail.objects.count()
    assert before == {on_hold.pk: "waitlisted", pending_app.pk: "pending"}
    response = client.post(SETTINGS, _unchanged(personas.florence, **changes))
    assert response.status_code == 302
    assert _statuses() == before
    assert OutboxEmail.objects.count() == mail
    with scopes_disabled():
        assert Membership.objects.filter(network=personas.florence).count() == 2  # Alice, Bob


def _full_florence_with_a_queue(florence: Network):
    """Alice and Bob fill a cap of 2; three approved applicants wait, one is on hold."""
    now = timezone.now()
    florence.membership_cap = 2
    florence.save()
    on_hold = application(
        florence, applicant(1), status="waitlisted", waitlisted_at=now - timedelta(days=9)
    )
    waiting = [
        application(
            florence,
            applicant(2 + n),
            status="approved_waiting",
            waitlisted_at=now - timedelta(days=3 - n),
        )
        for n in range(3)
    ]
    return florence, on_hold, waiting


@pytest.mark.django_db
def test_it_admits_those_approved_in_order_when_the_cap_rises(client, personas):
    florence, on_hold, (first, second, third) = _full_florence_with_a_queue(personas.florence)
    client.force_login(personas.alice)
    client.post(SETTINGS, _unchanged(florence, membership_cap="4"))
    assert _statuses() == {
        on_hold.pk: "waitlisted", first.pk: "approved", second.pk: "approved",
        third.pk: "approved_waiting",
    }  # fmt: skip
    welcomes = OutboxEmail.objects.filter(template="application-approved")
    assert sorted(welcomes.values_list("to", flat=True)) == [
        "aspirante2@example.com", "aspirante3@example.com",
    ]  # fmt: skip


@pytest.mark.django_db
def test_it_keeps_the_coordinators_waitlist_when_the_cap_is_removed(client, personas):
    florence, on_hold, waiting = _full_florence_with_a_queue(personas.florence)
    client.force_login(personas.alice)
    client.post(SETTINGS, _unchanged(florence, membership_cap=""))
    assert _statuses() == {on_hold.pk: "waitlisted", **{a.pk: "approved" for a in waiting}}
    with scopes_disabled():
        assert not Membership.objects.filter(user=on_hold.user).exists()


@pytest.mark.django_db
def test_it_admits_nobody_when_the_cap_is_lowered(client, personas):
    florence, _on_hold, _waiting = _full_florence_with_a_queue(personas.florence)
    client.force_login(personas.alice)
    before = _statuses()
    client.post(SETTINGS, _unchanged(florence, membership_cap="1"))
    assert _statuses() == before


@pytest.mark.django_db
def test_it_saves_my_alert_preference_only(client, personas):
    client.force_login(personas.alice)
    client.post(
        SETTINGS,
        {"form": "alerts", "application_alerts": "daily", "role": "member", "card_number": 99},
    )
    with scope(network=personas.florence):
        alice = Membership.objects.get(user=personas.alice)
    assert (alice.application_alerts, alice.role, alice.card_number) == ("daily", "coordinator", 1)
