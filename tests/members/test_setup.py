"""Coordinators set their network's questions, intake rules and their own alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from members.models import ApplicationQuestion, MembershipApplication
from networks.models import Membership
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


@pytest.mark.django_db
def test_it_admits_the_waitlist_in_order_when_the_cap_rises(client, personas):
    personas.florence.membership_cap = 2
    personas.florence.save()
    later = application(
        personas.florence, applicant(1), status="waitlisted", waitlisted_at=timezone.now()
    )
    first = application(
        personas.florence,
        applicant(2),
        status="waitlisted",
        waitlisted_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(personas.alice)
    client.post(SETTINGS, {**INTAKE, "form": "intake", "intake_open": "on", "membership_cap": "3"})
    with scopes_disabled():
        statuses = dict(MembershipApplication.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", later.pk: "waitlisted"}


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
