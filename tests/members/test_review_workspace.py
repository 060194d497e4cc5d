"""The review queue as a workspace: search, contacts, answers, paging both ways, live counts,
confirmations, and the minute in which a decision can be undone."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from members.models import ApplicationQuestion, DecisionLogEntry
from members.services.applications import application_decide, applications_decide
from members.services.profiles import profile_update
from members.services.undo import (
    UndoConflict,
    UndoExpired,
    UndoUnavailable,
    application_decision_undo,
)
from outbox.models import OutboxEmail
from outbox.services import outbox_deliver
from tests.concurrency import race
from tests.conftest import make_user, needs_postgres
from tests.members.factories import applicant, application, applications

QUEUE = "/florence/manage/applications/"
UNDO = "/florence/manage/applications/undo/"
BULK = "/florence/manage/applications/bulk/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _decide_url(app) -> str:
    return reverse(
        "manage_application_decide", kwargs={"network_slug": "florence", "application_id": app.pk}
    )


def _ids(response) -> list[int]:
    return [a.pk for a in response.context["applications"]]


def _status(app) -> str:
    app.refresh_from_db()
    return app.status


def _decide(personas, apps, action):
    with scope(network=personas.florence):
        return applications_decide(
            network=personas.florence, application_ids=[a.pk for a in apps], action=action,
            decided_by=personas.alice,
        )  # fmt: skip


def _undo(personas, key, who=None):
    with scope(network=personas.florence):
        return application_decision_undo(
            network=personas.florence, decision_key=key, undone_by=who or personas.alice
        )


# --- Reading ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_searches_by_name_or_email(client, personas):
    giulia = make_user("giulia@vetri.it", first_name="Giulia", last_name="Neri")
    wanted = application(personas.florence, giulia)
    applications(personas.florence, 3)
    client.force_login(personas.alice)
    assert _ids(client.get(QUEUE, {"q": "neri"})) == [wanted.pk]
    assert _ids(client.get(QUEUE, {"q": "VETRI.it"})) == [wanted.pk]
    assert _ids(client.get(QUEUE, {"q": "nobody"})) == []
    assert client.get(QUEUE, {"q": "a\x00" * 300}).status_code == 200


@pytest.mark.django_db
def test_it_shows_the_applicants_email_and_linkedin(client, personas):
    user = applicant(1)
    profile_update(
        user=user, company="Azienda 1", sector="ict", city="Firenze",
        linkedin_url="https://www.linkedin.com/in/nome-cognome",
    )  # fmt: skip
    application(personas.florence, user)
    client.force_login(personas.alice)
    body = client.get(QUEUE).content.decode()
    assert 'href="mailto:aspirante1@example.com"' in body
    assert 'href="https://www.linkedin.com/in/nome-cognome"' in body


@pytest.mark.django_db
def test_it_reads_yes_and_no_in_the_reviewers_language(client, personas):
    with scope(network=personas.florence):
        question = ApplicationQuestion.objects.create(
            network=personas.florence, label="Hai una partita IVA?", kind="yes_no"
        )
    answers = {str(question.pk): {"label": question.label, "kind": "yes_no", "value": "yes"}}
    old = {"9": {"label": "Socio di altre reti?", "value": "no"}}  # stored before kinds were
    application(personas.florence, applicant(1), answers=answers)
    application(personas.florence, applicant(2), answers=old)
    client.force_login(personas.alice)
    body = client.get(QUEUE).content.decode()  # Italian by default
    assert "Sì" in body and ">\n            yes" not in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(QUEUE).content.decode()
    assert "Yes" in body and "Sì" not in body


@pytest.mark.django_db
def test_it_pages_both_ways(client, personas, monkeypatch):
    monkeypatch.setattr("members.selectors.applications.PAGE_SIZE", 2)
    apps = applications(personas.florence, 5)
    client.force_login(personas.alice)
    first = client.get(QUEUE)
    assert _ids(first) == [apps[0].pk, apps[1].pk] and not first.context["previous_page_query"]
    second = client.get(f"{QUEUE}?{first.context['next_page_query']}")
    third = client.get(f"{QUEUE}?{second.context['next_page_query']}")
    assert _ids(third) == [apps[4].pk] and not third.context["next_page_query"]
    back = client.get(f"{QUEUE}?{third.context['previous_page_query']}")
    assert _ids(back) == _ids(second) == [apps[2].pk, apps[3].pk]
    assert back.context["next_page_query"] and back.context["previous_page_query"]
    start = client.get(f"{QUEUE}?{back.context['previous_page_query']}")
    assert _ids(start) == _ids(first) and not start.context["previous_page_query"]
    assert "Pagina precedente" in back.content.decode() or "Previous page" in back.content.decode()
    assert client.get(QUEUE, {"before": "1.5_abc"}).status_code == 200


# --- Deciding in place -----------------------------------------------------------------------
@pytest.mark.django_db
def test_it_moves_the_counts_after_an_in_place_decision(client, personas):
    apps = applications(personas.florence, 3)
    client.force_login(personas.alice)
    response = client.post(
        _decide_url(apps[0]), {"action": "waitlisted", "status": "pending"}, **HTMX
    )
    body = response.content.decode()
    assert 'id="queue-states"' in body and 'hx-swap-oob="true"' in body
    assert 'id="count-pending">2<' in body
    assert 'id="count-waitlisted">1<' in body


@pytest.mark.django_db
def test_it_asks_before_rejecting_and_before_bulk_decisions(client, personas):
    application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    body = client.get(QUEUE).content.decode()
    assert 'data-confirm-count="applications"' in body
    assert "Rifiutare {count} candidature?" in body
    assert body.count("data-confirm=") >= 4  # the row's reject, and each bulk decision


@pytest.mark.django_db
def test_it_asks_before_a_withdrawal(client, personas):
    application(personas.florence, personas.dave)
    client.force_login(personas.dave)
    assert "data-confirm=" in client.get(reverse("members:me")).content.decode()


# --- Undo ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_undoes_a_reject_within_the_minute(client, personas, mailoutbox):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    response = client.post(_decide_url(app), {"action": "rejected"}, **HTMX)
    assert _status(app) == "rejected" and 'name="key"' in response.content.decode()
    [email] = OutboxEmail.objects.filter(template="application-rejected")
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=59)
    assert mailoutbox == []  # held back while the decision can be undone
    key = response.context["undo"].key
    response = client.post(UNDO, {"key": key, "status": "pending"}, **HTMX)
    assert "1 candidatura è tornata" in response.content.decode()
    assert 'id="count-pending">1<' in response.content.decode()
    assert _status(app) == "pending" and app.decided_at is None and app.decided_by is None
    email.refresh_from_db()
    assert email.status == "cancelled"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbox_deliver(email_ids=[email.pk])
    assert mailoutbox == []
    with scope(network=personas.florence):
        assert DecisionLogEntry.objects.filter(action="undone", application=app).count() == 1
    # Decided again after the undo: a new email, with a key of its own.
    client.post(_decide_url(app), {"action": "rejected"})
    assert OutboxEmail.objects.filter(template="application-rejected", status="queued").count() == 1


@pytest.mark.django_db
def test_it_sends_the_email_once_the_minute_has_passed(personas, mailoutbox):
    app = application(personas.florence, applicant(1))
    _decide(personas, [app], "rejected")
    email = OutboxEmail.objects.get(template="application-rejected")
    outbox_deliver(email_ids=[email.pk])
    assert mailoutbox == []
    with time_machine.travel(timezone.now() + timedelta(seconds=66)):
        outbox_deliver(email_ids=[email.pk])
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_it_refuses_an_undo_after_the_minute(client, personas):
    app = application(personas.florence, applicant(1))
    decision = _decide(personas, [app], "rejected")
    client.force_login(personas.alice)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = client.post(UNDO, {"key": decision.key}, follow=True)
        with pytest.raises(UndoExpired):
            _undo(personas, decision.key)
    body = response.content.decode()
    assert "one minute only" in body or "un minuto" in body
    assert _status(app) == "rejected"
    assert OutboxEmail.objects.get(template="application-rejected").status == "queued"


@pytest.mark.django_db
def test_it_undoes_a_bulk_decision_and_offers_it_on_the_queue(client, personas):
    apps = applications(personas.florence, 3)
    earlier = apps[2]
    _decide(personas, [earlier], "waitlisted")
    earlier.refresh_from_db()
    client.force_login(personas.alice)
    response = client.post(BULK, {"action": "rejected", "applications": [a.pk for a in apps]})
    assert "?undo=" in response["Location"]
    page = client.get(response["Location"])
    assert page.context["undo"].count == 3
    assert [_status(a) for a in apps] == ["rejected"] * 3
    client.post(UNDO, {"key": page.context["undo"].key})
    assert [_status(a) for a in apps] == ["pending", "pending", "waitlisted"]
    apps[2].refresh_from_db()
    assert apps[2].waitlisted_at == earlier.waitlisted_at  # back in its place on the list
    assert client.get(response["Location"]).context["undo"] is None  # once


@pytest.mark.django_db
def test_it_does_not_undo_an_approval(client, personas):
    app = application(personas.florence, applicant(1))
    decision = _decide(personas, [app], "approved")
    assert not decision.undoable
    with pytest.raises(UndoUnavailable):
        _undo(personas, decision.key)
    assert (
        OutboxEmail.objects.get(template="application-approved").next_attempt_at <= timezone.now()
    )


@pytest.mark.django_db
def test_it_refuses_an_undo_when_something_changed_since(personas):
    app = application(personas.florence, applicant(1))
    hold = _decide(personas, [app], "waitlisted")
    _decide(personas, [app], "rejected")  # a second decision on top
    with pytest.raises(UndoConflict):
        _undo(personas, hold.key)
    assert _status(app) == "rejected"


@pytest.mark.django_db
def test_it_lets_only_the_one_who_decided_undo(client, personas):
    app = application(personas.florence, applicant(1))
    decision = _decide(personas, [app], "rejected")
    with pytest.raises(UndoUnavailable):
        _undo(personas, decision.key, who=personas.bob)
    client.force_login(personas.charlie)  # another network's coordinator: not even the page
    assert client.post(UNDO, {"key": decision.key}).status_code == 404
    assert _status(app) == "rejected"


@pytest.mark.django_db
def test_it_undoes_a_withdrawal(client, personas):
    app = application(personas.florence, personas.dave)
    client.force_login(personas.dave)
    url = reverse("members:application_withdraw", kwargs={"application_id": app.pk})
    page = client.post(url)
    assert _status(app) == "withdrawn"
    key = page.context["key"]
    client.post(reverse("members:withdraw_undo"), {"application": app.pk, "key": key})
    assert _status(app) == "pending"
    # Charlie cannot undo Dave's withdrawal: not his application.
    client.post(url)
    key = _last_key(personas, app)
    client.force_login(personas.charlie)
    response = client.post(reverse("members:withdraw_undo"), {"application": app.pk, "key": key})
    assert response.status_code == 404
    assert _status(app) == "withdrawn"


def _last_key(personas, app) -> str:
    with scope(network=personas.florence):
        entry = DecisionLogEntry.objects.filter(application=app, action="withdrawn").first()
    assert entry is not None
    return entry.decision_key


@pytest.mark.django_db
def test_it_ignores_bad_undo_input(client, personas):
    client.force_login(personas.alice)
    for key in ("", "x" * 500, "\x00", "nope"):
        assert client.post(UNDO, {"key": key}).status_code == 302
    assert client.get(UNDO).status_code == 405
    assert client.get(QUEUE, {"undo": "x" * 500}).status_code == 200


# --- Races -----------------------------------------------------------------------------------
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_runs_an_undo_and_a_second_decision_one_after_the_other(personas):
    florence = personas.florence
    for round_ in range(15):
        app = application(florence, applicant(500 + round_))
        hold = _decide(personas, [app], "waitlisted")

        def undo(key=hold.key):
            return _undo(personas, key)

        def approve(app=app):
            with scope(network=florence):
                return application_decide(
                    network=florence, application_id=app.pk, action="approved",
                    decided_by=personas.alice,
                )  # fmt: skip

        undone, approved = race(undo, approve)
        assert not isinstance(approved, Exception)  # waitlisted or pending: approvable either way
        assert _status(app) == "approved"
        with scope(network=florence):
            log = list(DecisionLogEntry.objects.filter(application=app).order_by("id"))
        actions = [e.action for e in log]
        if isinstance(undone, UndoConflict):
            assert actions == ["waitlisted", "approved"]  # the approval came first
        else:
            assert actions == ["waitlisted", "undone", "approved"]  # the undo came first
