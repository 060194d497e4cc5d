"""Applying to a network: the form, its rules, and the emails it causes."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from members.models import ApplicationQuestion, MembershipApplication, Profile
from members.services.applications import IntakeClosed, application_submit
from outbox.models import OutboxEmail
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.members.factories import applicant, application, member

APPLY = "/florence/apply/"


def _form(**extra) -> dict:
    data = {
        "first_name": "Giovanna", "last_name": "Lippi", "company": "Lippi Design S.r.l.",
        "job_title": "Titolare", "sector": "design", "city": "Prato",
        "linkedin_url": "https://www.linkedin.com/in/giovanna-lippi",
        "motivation": "Conoscere imprese",
        "privacy": "on",
    }  # fmt: skip
    return data | extra


@pytest.fixture
def giovanna(db):
    return make_user("giovanna@example.com")


def _applications(**filters):
    with scopes_disabled():
        return list(MembershipApplication.objects.filter(**filters))


@pytest.mark.django_db
def test_it_works(client, personas, giovanna):
    client.force_login(giovanna)
    assert client.get(APPLY).status_code == 200
    response = client.post(APPLY, _form())
    assert response["Location"] == reverse("members:me")
    [app] = _applications(user=giovanna)
    assert app.network == personas.florence and app.status == "pending"
    assert app.privacy_version == "2026-11" and app.privacy_acknowledged_at
    profile = Profile.objects.get(user=giovanna)
    assert (profile.company, profile.sector, profile.city) == (
        "Lippi Design S.r.l.",
        "design",
        "Prato",
    )
    assert "lippi design" in profile.search_text
    giovanna.refresh_from_db()
    assert giovanna.get_full_name() == "Giovanna Lippi"
    templates = set(OutboxEmail.objects.values_list("template", "to"))
    assert ("application-received", "giovanna@example.com") in templates
    assert ("application-new", "alice@example.com") in templates  # the coordinator
    assert ("application-new", "bob@example.com") not in templates  # a plain member


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_login(client, personas):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_sends_unverified_people_to_verify_and_saves_nothing(client, personas):
    unverified = make_user("nonverificata@example.com", verified=False)
    client.force_login(unverified)
    response = client.post(APPLY, _form())
    assert response["Location"] == reverse("account_email")
    assert _applications() == []
    assert not Profile.objects.filter(user=unverified).exists()


@pytest.mark.django_db
def test_it_needs_the_privacy_acknowledgement(client, personas, giovanna):
    client.force_login(giovanna)
    response = client.post(APPLY, _form(privacy=""))
    assert response.status_code == 200
    assert response.context["form"].errors["privacy"]
    assert _applications() == []


@pytest.mark.django_db
def test_it_asks_the_networks_own_questions(client, personas, giovanna):
    with scope(network=personas.florence):
        q1 = ApplicationQuestion.objects.create(
            network=personas.florence,
            label="Quanti dipendenti?",
            kind="choice",
            choices="1-9\n10-49\n50+",
        )
        q2 = ApplicationQuestion.objects.create(
            network=personas.florence, label="Verrai agli eventi?", kind="yes_no", required=False
        )
    with scope(network=personas.veneto):
        ApplicationQuestion.objects.create(
            network=personas.veneto, label="Domanda veneta", kind="short_text"
        )
    client.force_login(giovanna)
    body = client.get(APPLY).content.decode()
    assert "Quanti dipendenti?" in body and "Domanda veneta" not in body
    response = client.post(APPLY, _form())
    assert response.context["form"].errors[f"q_{q1.pk}"]  # required
    client.post(APPLY, _form(**{f"q_{q1.pk}": "10-49", f"q_{q2.pk}": "yes"}))
    [app] = _applications()
    assert app.answers[str(q1.pk)] == {
        "label": "Quanti dipendenti?",
        "kind": "choice",
        "value": "10-49",
    }
    assert app.answers[str(q2.pk)]["value"] == "yes"


@pytest.mark.django_db
def test_it_takes_a_sponsor_by_card_number_of_that_network_only(client, personas, giovanna):
    client.force_login(giovanna)
    response = client.post(
        APPLY, _form(sponsor_card="VE-000001")
    )  # charlie's card is in VenetoIN... number 1
    # Card 1 of FlorenceIN is Alice: the prefix is informative, the network decides.
    [app] = _applications()
    assert app.sponsor == personas.alice
    assert response.status_code == 302


@pytest.mark.django_db
def test_it_refuses_an_unknown_sponsor_card(client, personas, giovanna):
    client.force_login(giovanna)
    response = client.post(APPLY, _form(sponsor_card="FI-000999"))
    assert response.context["form"].errors["sponsor_card"]
    assert _applications() == []


@pytest.mark.django_db
def test_it_shows_the_existing_application_on_a_double_submit(client, personas, giovanna):
    client.force_login(giovanna)
    client.post(APPLY, _form())
    response = client.post(APPLY, _form())
    assert response.status_code == 200
    assert response.templates[0].name == "members/apply_pending.html"
    assert len(_applications()) == 1


@pytest.mark.django_db
def test_it_returns_the_open_application_when_the_constraint_fires(personas, giovanna):
    first = application(personas.florence, giovanna)
    with scope(network=personas.florence):
        again, created = application_submit(
            network=personas.florence, user=giovanna, motivation="x", answers={}, profile={}
        )
    assert (again.pk, created) == (first.pk, False)


@pytest.mark.django_db
def test_it_lets_people_apply_again_after_a_rejection(client, personas, giovanna):
    application(personas.florence, giovanna, status="rejected")
    client.force_login(giovanna)
    client.post(APPLY, _form())
    assert sorted(a.status for a in _applications()) == ["pending", "rejected"]


@pytest.mark.django_db
def test_it_refuses_when_intake_is_closed(client, personas, giovanna):
    personas.florence.intake_open = False
    personas.florence.save()
    client.force_login(giovanna)
    response = client.post(APPLY, _form())
    assert response.templates[0].name == "members/apply_closed.html"
    assert _applications() == []
    with pytest.raises(IntakeClosed), scope(network=personas.florence):
        application_submit(
            network=personas.florence, user=giovanna, motivation="x", answers={}, profile={}
        )


@pytest.mark.django_db
def test_it_tells_members_they_are_members_already(client, personas):
    client.force_login(personas.bob)
    assert client.get(APPLY).templates[0].name == "members/apply_member.html"


@pytest.mark.django_db
def test_it_ignores_fields_it_does_not_own(client, personas, giovanna):
    client.force_login(giovanna)
    client.post(
        APPLY,
        _form(
            status="approved",
            network=personas.veneto.pk,
            role="coordinator",
            is_staff="1",
            user=personas.alice.pk,
            decided_by=personas.alice.pk,
        ),
    )
    [app] = _applications()
    assert (app.status, app.network, app.user, app.decided_by) == (
        "pending",
        personas.florence,
        giovanna,
        None,
    )
    giovanna.refresh_from_db()
    assert not giovanna.is_staff
    with scopes_disabled():
        assert not giovanna.memberships.exists()


@pytest.mark.django_db
def test_it_lets_the_applicant_withdraw_an_open_application(client, personas, giovanna):
    app = application(personas.florence, giovanna)
    client.force_login(giovanna)
    url = reverse("members:application_withdraw", kwargs={"application_id": app.pk})
    assert client.get(url).status_code == 405
    client.post(url)
    app.refresh_from_db()
    assert app.status == "withdrawn"
    client.post(url)  # a second click changes nothing and does not fail
    app.refresh_from_db()
    assert app.status == "withdrawn"


@pytest.mark.django_db
def test_it_hides_other_peoples_applications_from_withdrawal(client, personas, giovanna):
    app = application(personas.florence, applicant(1))
    client.force_login(giovanna)
    response = client.post(
        reverse("members:application_withdraw", kwargs={"application_id": app.pk})
    )
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.status == "pending"


@pytest.mark.django_db
def test_it_shows_my_applications_on_my_page(client, personas, giovanna):
    application(personas.florence, giovanna)
    application(personas.veneto, giovanna, status="rejected", decision_note="Riprova a settembre")
    client.force_login(giovanna)
    body = client.get(reverse("members:me")).content.decode()
    assert "FlorenceIN" in body and "VenetoIN" in body and "Riprova a settembre" in body


@pytest.mark.django_db
@pytest.mark.parametrize("questions", [1, 20])
def test_it_keeps_the_form_queries_flat(
    client, personas, giovanna, questions, django_assert_max_num_queries
):
    with scope(network=personas.florence):
        for n in range(questions):
            ApplicationQuestion.objects.create(
                network=personas.florence, label=f"Q{n}", required=False
            )
    for n in range(questions):
        member(personas.florence, applicant(100 + n), card=10 + n)
    client.force_login(giovanna)
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 2):
        assert client.get(APPLY).status_code == 200
    # state, questions, application, name, profile, coordinators, outbox; plus the SAVEPOINT
    # that atomic() becomes inside the test's own transaction.
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 8):
        assert client.post(APPLY, _form())["Location"] == reverse("members:me")
