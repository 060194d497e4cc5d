"""The coordinators' review queue and their decisions, one by one and in bulk."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from members.models import DecisionLogEntry, Endorsement, MembershipApplication
from members.services.applications import applications_decide, membership_year_end
from members.services.profiles import profile_update
from networks.models import Membership
from outbox.models import OutboxEmail
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.members.factories import applicant, application, applications, member

QUEUE = "/florence/manage/applications/"


def _decide_url(app) -> str:
    return reverse(
        "manage_application_decide", kwargs={"network_slug": "florence", "application_id": app.pk}
    )


def _memberships(network):
    with scope(network=network):
        return list(Membership.objects.filter(network=network).order_by("card_number"))


@pytest.mark.django_db
def test_it_works(client, personas):
    apps = applications(personas.florence, 3)
    client.force_login(personas.alice)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert [a.pk for a in response.context["applications"]] == [a.pk for a in apps]  # oldest first
    assert response.context["counts"]["pending"] == 3


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.charlie)
    assert client.get(QUEUE).status_code == 404
    assert client.post(_decide_url(app), {"action": "approved"}).status_code == 404
    # Charlie's own network, FlorenceIN's id: the same 404 as an id that does not exist.
    url = reverse(
        "manage_application_decide", kwargs={"network_slug": "veneto", "application_id": app.pk}
    )
    missing = reverse(
        "manage_application_decide", kwargs={"network_slug": "veneto", "application_id": 999999}
    )
    assert client.post(url, {"action": "approved"}).status_code == 404
    assert client.post(missing, {"action": "approved"}).status_code == 404
    app.refresh_from_db()
    assert app.status == "pending"


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.bob)
    assert client.get(QUEUE).status_code == 403
    assert client.post(_decide_url(app), {"action": "approved"}).status_code == 403
    app.refresh_from_db()
    assert app.status == "pending"


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_login(client, personas):
    assert client.get(QUEUE)["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_filters_by_state_sector_age_and_sponsor(client, personas):
    old = application(
        personas.florence,
        applicant(1, sector="legal"),
        submitted_at=timezone.now() - timedelta(days=10),
    )
    sponsored = application(personas.florence, applicant(2, sector="ict"), sponsor=personas.bob)
    waiting = application(
        personas.florence, applicant(3), status="waitlisted", waitlisted_at=timezone.now()
    )
    client.force_login(personas.alice)

    def ids(query: str) -> list[int]:
        return [a.pk for a in client.get(QUEUE + query).context["applications"]]

    assert ids("?sector=legal") == [old.pk]
    assert ids("?older_than=7") == [old.pk]
    assert ids("?sponsored=yes") == [sponsored.pk]
    assert ids("?sponsored=no") == [old.pk]
    assert ids("?status=waitlisted") == [waiting.pk]
    assert ids("?status=nonsense&sector=<script>&older_than=x") == [old.pk, sponsored.pk]


@pytest.mark.django_db
def test_it_pages_by_keyset_without_gaps_or_repeats(client, personas):
    apps = applications(personas.florence, 60)
    client.force_login(personas.alice)
    seen: list[int] = []
    url: str | None = QUEUE
    while url:
        response = client.get(url)
        seen += [a.pk for a in response.context["applications"]]
        after = response.context["next_after"]
        url = f"{QUEUE}?after={after}" if after else None
    assert seen == [a.pk for a in apps]
    assert client.get(QUEUE + "?after=garbage").status_code == 200


@pytest.mark.django_db
def test_it_warns_about_applicants_known_elsewhere(client, personas):
    personas.florence.one_per_sector = True
    personas.florence.save()
    profile_update(user=personas.bob, sector="legal", company="Studio Bellini")
    elsewhere = applicant(1)
    member(personas.veneto, elsewhere, card=5)
    twin = applicant(2, company="Azienda Gemella")
    clone = make_user("clone@example.com", first_name="Nome2", last_name="Cognome2")
    profile_update(user=clone, company="azienda gemella")
    lawyer = applicant(3, sector="legal")
    plain = applicant(4, sector="food")
    for user in (elsewhere, twin, lawyer, plain):
        application(personas.florence, user)
    application(personas.veneto, plain)  # applying in two networks
    client.force_login(personas.alice)
    rows = {a.user: a for a in client.get(QUEUE).context["applications"]}
    assert rows[elsewhere].member_elsewhere and not rows[twin].member_elsewhere
    assert rows[twin].look_alike and not rows[plain].look_alike
    assert rows[lawyer].sector_taken and not rows[plain].sector_taken
    assert rows[plain].applicant_elsewhere and not rows[lawyer].applicant_elsewhere
    body = client.get(QUEUE).content.decode()
    assert "VenetoIN" not in body  # a flag, never which network


@pytest.mark.django_db
def test_it_shows_answers_sponsor_and_endorsements(client, personas):
    app = application(
        personas.florence,
        applicant(1),
        sponsor=personas.bob,
        answers={"7": {"label": "Dipendenti?", "value": "10-49"}},
    )
    with scope(network=personas.florence):
        Endorsement.objects.create(
            network=personas.florence,
            application=app,
            endorser=personas.bob,
            note="Ottima professionista",
        )
    client.force_login(personas.alice)
    body = client.get(QUEUE).content.decode()
    assert "Dipendenti?" in body and "10-49" in body
    assert "Bob Bellini" in body and "Ottima professionista" in body


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 60])
def test_it_keeps_the_queue_queries_flat(client, personas, size, django_assert_max_num_queries):
    for app in applications(personas.florence, size):
        with scope(network=personas.florence):
            Endorsement.objects.create(
                network=personas.florence, application=app, endorser=personas.bob
            )
    client.force_login(personas.alice)
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 3):  # counts, page, endorsements
        assert client.get(QUEUE).status_code == 200


# --- Deciding one ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_approves_with_the_next_card_number(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    response = client.post(_decide_url(app), {"action": "approved", "note": "Benvenuta!"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.decided_by, app.decision_note) == (
        "approved",
        personas.alice,
        "Benvenuta!",
    )
    membership = _memberships(personas.florence)[-1]
    assert membership.user == app.user
    assert membership.card_number == 3 and membership.card_label == "FL-000003"
    assert membership.valid_until == membership_year_end(timezone.localdate())
    email = OutboxEmail.objects.get(template="application-approved")
    assert (
        email.to == app.user.email
        and "FL-000003" in email.body_text
        and "Benvenuta!" in email.body_text
    )
    with scope(network=personas.florence):
        [entry] = DecisionLogEntry.objects.all()
    assert (entry.actor, entry.action, entry.note) == (personas.alice, "approved", "Benvenuta!")


@pytest.mark.django_db
def test_it_uses_the_network_card_prefix(client, personas):
    personas.florence.card_prefix = "FI"
    personas.florence.save()
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    client.post(_decide_url(app), {"action": "approved"})
    assert _memberships(personas.florence)[-1].card_label == "FI-000003"


@pytest.mark.django_db
def test_it_rejects_with_a_note_and_no_membership(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    client.post(_decide_url(app), {"action": "rejected", "note": "Settore già coperto"})
    app.refresh_from_db()
    assert app.status == "rejected"
    assert len(_memberships(personas.florence)) == 2
    assert (
        "Settore già coperto" in OutboxEmail.objects.get(template="application-rejected").body_text
    )


@pytest.mark.django_db
def test_it_answers_htmx_with_the_decided_row(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    response = client.post(_decide_url(app), {"action": "waitlisted"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="application-{app.pk}"' in response.content.decode()
    app.refresh_from_db()
    assert app.status == "waitlisted" and app.waitlisted_at and app.decided_at is None


@pytest.mark.django_db
def test_it_says_already_decided_instead_of_failing(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    client.post(_decide_url(app), {"action": "approved"})
    response = client.post(_decide_url(app), {"action": "rejected"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        "Già deciso" in response.content.decode() or "Already decided" in response.content.decode()
    )
    app.refresh_from_db()
    assert app.status == "approved"
    assert (
        OutboxEmail.objects.filter(template__startswith="application-")
        .exclude(template="application-new")
        .count()
        == 1
    )


@pytest.mark.django_db
def test_it_refuses_get_on_decisions(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.alice)
    assert client.get(_decide_url(app)).status_code == 405


@pytest.mark.django_db
def test_it_keeps_approvals_waiting_for_a_place_when_the_network_is_full(client, personas):
    personas.florence.membership_cap = 3
    personas.florence.save()
    first, second, third = applications(personas.florence, 3)
    client.force_login(personas.alice)
    client.post(
        reverse("manage_applications_bulk", kwargs={"network_slug": "florence"}),
        {"action": "approved", "applications": [first.pk, second.pk, third.pk]},
    )
    with scopes_disabled():
        statuses = dict(MembershipApplication.objects.values_list("pk", "status"))
    waiting = "approved_waiting"
    assert statuses == {first.pk: "approved", second.pk: waiting, third.pk: waiting}
    assert OutboxEmail.objects.filter(template="application-approved-waiting").count() == 2
    assert not OutboxEmail.objects.filter(template="application-waitlisted").exists()
    page = client.get(f"{QUEUE}?status=approved_waiting")
    assert [a.pk for a in page.context["applications"]] == [second.pk, third.pk]
    counts = page.context["counts"]
    assert (counts["approved_waiting"], counts["waitlisted"], counts["approved"]) == (2, 0, 1)
    assert "?status=approved_waiting" in page.content.decode()  # its own tab, with its count
    # No second approval for someone already approved: only "Reject" is offered.
    html = page.content.decode()
    assert 'value="rejected"' in html and 'name="action" value="approved"' not in html


@pytest.mark.django_db
def test_it_gives_no_place_ahead_of_those_already_waiting(client, personas):
    """A place that frees up unnoticed goes to the queue, not to a newer approval."""
    florence = personas.florence
    florence.membership_cap = 3  # Alice, Bob and one place
    florence.save()
    waiting = application(
        florence, applicant(1), status="approved_waiting", waitlisted_at=timezone.now()
    )
    newer = application(florence, applicant(2))
    with scope(network=florence):
        decision = applications_decide(
            network=florence, application_ids=[newer.pk], action="approved",
            decided_by=personas.alice,
        )  # fmt: skip
    assert [a.pk for a in decision.approved_waiting] == [newer.pk]
    waiting.refresh_from_db()
    assert waiting.status == "approved_waiting"


@pytest.mark.django_db
def test_it_approves_one_put_on_hold_into_the_queue_when_full(client, personas):
    florence = personas.florence
    florence.membership_cap = 2
    florence.save()
    app = application(florence, applicant(1))
    client.force_login(personas.alice)
    client.post(_decide_url(app), {"action": "waitlisted", "note": "Più avanti"})
    app.refresh_from_db()
    assert (app.status, app.decided_at) == ("waitlisted", None)
    client.post(_decide_url(app), {"action": "approved", "note": "Benvenuta"})
    app.refresh_from_db()
    assert (app.status, app.decided_at, app.decided_by) == (
        "approved_waiting",
        None,
        personas.alice,
    )
    templates = list(
        OutboxEmail.objects.filter(template__startswith="application-")
        .exclude(template="application-new")
        .values_list("template", flat=True)
        .order_by("id")
    )
    assert templates == ["application-waitlisted", "application-approved-waiting"]
    with scope(network=florence):
        actions = list(
            DecisionLogEntry.objects.filter(application=app)
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["waitlisted", "approved_waiting"]


# --- Deciding many ---------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 45])  # SQLite: 999 parameters, 20 outbox columns a row
def test_it_bulk_approves_in_a_fixed_number_of_queries(
    personas, size, django_assert_max_num_queries
):
    apps = applications(personas.florence, size)
    # 8, plus the SAVEPOINT and RELEASE that atomic() becomes inside the test's transaction.
    with scope(network=personas.florence), django_assert_max_num_queries(8 + 2):
        decision = applications_decide(
            network=personas.florence, application_ids=[a.pk for a in apps],
            action="approved", decided_by=personas.alice, note="Benvenuti",
        )  # fmt: skip
    assert len(decision.approved) == size
    cards = [m.card_number for m in _memberships(personas.florence)]
    assert cards == list(range(1, size + 3))  # gap-free after Alice (1) and Bob (2)
    assert OutboxEmail.objects.filter(template="application-approved").count() == size


@pytest.mark.django_db
def test_it_bulk_decides_from_the_queue_with_one_note(client, personas):
    apps = applications(personas.florence, 3)
    other = application(personas.veneto, applicant(9))
    client.force_login(personas.alice)
    response = client.post(
        reverse("manage_applications_bulk", kwargs={"network_slug": "florence"}),
        {
            "action": "rejected",
            "note": "Intake chiuso per l'estate",
            "applications": [*(a.pk for a in apps), other.pk],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert set(
            MembershipApplication.objects.filter(network=personas.florence).values_list(
                "status", "decision_note"
            )
        ) == {("rejected", "Intake chiuso per l'estate")}
        other.refresh_from_db()
    assert other.status == "pending"  # another network's id is simply not touched


@pytest.mark.django_db
def test_it_reactivates_a_returning_member_with_their_old_card(personas):
    returning = applicant(1)
    old = member(personas.florence, returning, card=7, status="lapsed")
    app = application(personas.florence, returning)
    with scope(network=personas.florence):
        applications_decide(
            network=personas.florence,
            application_ids=[app.pk],
            action="approved",
            decided_by=personas.alice,
        )
        old.refresh_from_db()
    assert (old.status, old.card_number) == ("active", 7)


def test_it_makes_cards_valid_to_the_end_of_the_membership_year():
    assert membership_year_end(date(2026, 3, 15)) == date(2026, 12, 31)
    assert membership_year_end(date(2026, 11, 30)) == date(2026, 12, 31)
    assert membership_year_end(date(2026, 12, 1)) == date(2027, 12, 31)  # December joins next year


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["waitlisted", "approved_waiting"])
def test_it_tells_the_applicant_which_kind_of_waiting(client, personas, status):
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.text import capfirst

    user = applicant(1)
    application(personas.florence, user, status=status, waitlisted_at=timezone.now())
    client.force_login(user)
    me = client.get("/me/")
    with translation.override(me.wsgi_request.LANGUAGE_CODE):
        labels = {s: escape(capfirst(str(MembershipApplication.Status(s).label))) for s in
                  ("waitlisted", "approved_waiting")}  # fmt: skip
    html = me.content.decode()
    other = "approved_waiting" if status == "waitlisted" else "waitlisted"
    assert labels[status] in html and labels[other] not in html
    apply_page = client.get("/florence/apply/")
    assert apply_page.context["state"].open_application_status == status


# --- The bulk bar offers what the service does ----------------------------------------------
def _bulk_options(client, status: str) -> set[str]:
    html = client.get(f"{QUEUE}?status={status}").content.decode()
    bar = html.split('id="bulk"', 1)[1].split("</form>", 1)[0] if 'id="bulk"' in html else ""
    return {a for a in ("approved", "waitlisted", "rejected") if f'value="{a}"' in bar}


def _bulk_changes(client, personas, status: str, action: str, n: int) -> bool:
    app = application(personas.florence, applicant(n), status=status, waitlisted_at=timezone.now())
    client.post(
        reverse("manage_applications_bulk", kwargs={"network_slug": "florence"}),
        {"action": action, "applications": [app.pk]},
    )
    app.refresh_from_db()
    return app.status != status


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "waitlisted", "approved_waiting"])
def test_it_offers_in_bulk_exactly_the_decisions_the_service_takes(client, personas, status):
    personas.florence.membership_cap = 2  # full: an approval waits, and changes a state
    personas.florence.save()
    client.force_login(personas.alice)
    application(personas.florence, applicant(90), status=status, waitlisted_at=timezone.now())
    offered = _bulk_options(client, status)
    taken = {
        action
        for n, action in enumerate(("approved", "waitlisted", "rejected"))
        if _bulk_changes(client, personas, status, action, n)
    }
    assert offered == taken
    assert offered == set(MembershipApplication.decisions_for(status))


@pytest.mark.django_db
def test_it_says_when_a_bulk_decision_changed_nothing(client, personas):
    app = application(personas.florence, applicant(1), status="waitlisted")
    client.force_login(personas.alice)
    response = client.post(
        reverse("manage_applications_bulk", kwargs={"network_slug": "florence"}),
        {"action": "waitlisted", "applications": [app.pk]},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "1 application already had that decision: nothing changed." in [
        str(m) for m in response.context["messages"]
    ]
