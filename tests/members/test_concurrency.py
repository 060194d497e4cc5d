"""Races on PostgreSQL with real threads: a decision happens once, card numbers never skip."""

import pytest
from django_scopes import scope, scopes_disabled

from members.models import MembershipApplication
from members.services.applications import (
    AlreadyDecided,
    application_decide,
    application_submit,
    application_withdraw,
)
from networks.models import Membership
from outbox.models import OutboxEmail
from tests.concurrency import race
from tests.conftest import needs_postgres
from tests.members.factories import applicant, application

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def _decide(network, app, action, who):
    def act():
        with scope(network=network):
            return application_decide(
                network=network, application_id=app.pk, action=action, decided_by=who
            )

    return act


def _withdraw(network, app):
    def act():
        with scope(network=network):
            return application_withdraw(application=app, user=app.user)

    return act


def _counts(app) -> tuple[int, int, str]:
    with scopes_disabled():
        app.refresh_from_db()
        memberships = Membership.objects.filter(user=app.user).count()
    decided_emails = OutboxEmail.objects.filter(
        idempotency_key__startswith=f"application-decided:{app.pk}:"
    ).count()
    return memberships, decided_emails, app.status


@pytest.mark.parametrize("rival", ["approved", "rejected", "withdraw"])
def test_it_decides_each_application_exactly_once(personas, rival):
    florence = personas.florence
    for round_ in range(30):
        app = application(
            florence,
            applicant(1000 * (1 + ["approved", "rejected", "withdraw"].index(rival)) + round_),
        )
        other = (
            _withdraw(florence, app)
            if rival == "withdraw"
            else _decide(florence, app, rival, personas.alice)
        )
        results = race(_decide(florence, app, "approved", personas.alice), other)
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(losers) == 1 and isinstance(losers[0], AlreadyDecided), results
        memberships, emails, status = _counts(app)
        winner_approved = rival == "approved" or not isinstance(results[0], Exception)
        if winner_approved:
            assert (memberships, emails, status) == (1, 1, "approved")
        else:
            assert memberships == 0
            assert status == ("withdrawn" if rival == "withdraw" else "rejected")
            assert emails == (0 if rival == "withdraw" else 1)


def test_it_gives_twenty_concurrent_approvals_twenty_consecutive_cards(personas):
    florence = personas.florence
    apps = [application(florence, applicant(n)) for n in range(20)]
    results = race(*(_decide(florence, app, "approved", personas.alice) for app in apps))
    assert not [r for r in results if isinstance(r, Exception)]
    with scope(network=florence):
        cards = sorted(
            n or 0
            for n in Membership.objects.filter(network=florence).values_list(
                "card_number", flat=True
            )
        )
    assert cards == list(range(1, 23))  # Alice 1, Bob 2, then 3..22 with no gap


def test_it_keeps_one_application_for_two_simultaneous_submits(personas):
    florence = personas.florence
    giovanna = applicant(1)

    def submit():
        with scope(network=florence):
            return application_submit(
                network=florence,
                user=giovanna,
                motivation="Ciao",
                answers={},
                profile={"company": "Lippi"},
            )

    results = race(submit, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(result[1] for result in results) == [False, True]  # type: ignore[index]
    with scopes_disabled():
        assert MembershipApplication.objects.filter(user=giovanna).count() == 1
    assert OutboxEmail.objects.filter(template="application-received").count() == 1


def test_it_accepts_one_invitation_token_once(personas):
    from members.services.invitations import (
        InvitationUnusable,
        Invitee,
        invitation_accept,
        invitation_send,
    )
    from tests.conftest import make_user

    florence = personas.florence
    with scope(network=florence):
        invitation = invitation_send(
            network=florence, inviter=personas.alice, invitee=Invitee("gemma@example.com"),
            by_coordinator=True,
        )  # fmt: skip
    gemma = make_user("gemma@example.com")

    def accept():
        with scope(network=florence):
            return invitation_accept(
                invitation=invitation, user=gemma, verified_emails={"gemma@example.com"}
            )

    for _round in range(10):
        results = race(accept, accept)
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 2 or (
            len(failures) == 1 and isinstance(failures[0], InvitationUnusable)
        ), results


# --- Invitation limits: the network's row is locked before any check -------------------------
def _send(network, inviter, email: str, *, by_coordinator: bool):
    from members.services.invitations import Invitee, invitation_send

    def act():
        with scope(network=network):
            return invitation_send(
                network=network, inviter=inviter, invitee=Invitee(email),
                by_coordinator=by_coordinator,
            )  # fmt: skip

    return act


def _invitations(network) -> list[str]:
    from members.models import Invitation

    with scope(network=network):
        return list(Invitation.objects.filter(network=network).values_list("email", flat=True))


def _refusals(results: list[object]) -> list[str]:
    from members.services.invitations import InvitationRefused

    assert all(isinstance(r, InvitationRefused) or not isinstance(r, Exception) for r in results)
    return [r.reason for r in results if isinstance(r, InvitationRefused)]


def test_it_keeps_a_members_quota_of_one_under_eight_simultaneous_sends(personas):
    florence = personas.florence
    florence.member_invite_quota = 1
    florence.save()
    sends = [_send(florence, personas.bob, f"amico{n}@example.com", by_coordinator=False)
             for n in range(8)]  # fmt: skip
    results = race(*sends)
    assert len(_invitations(florence)) == 1
    assert _refusals(results) == ["monthly_quota"] * 7


def test_it_keeps_the_coordinators_hourly_limit_under_simultaneous_sends(personas, settings):
    settings.INVITATIONS_PER_COORDINATOR_PER_HOUR = 3
    florence = personas.florence
    sends = [_send(florence, personas.alice, f"ospite{n}@example.com", by_coordinator=True)
             for n in range(8)]  # fmt: skip
    results = race(*sends)
    assert len(_invitations(florence)) == 3
    assert _refusals(results) == ["hourly_limit"] * 5


def test_it_invites_one_address_once_when_eight_sends_race(personas):
    florence = personas.florence
    sends = [_send(florence, personas.alice, "stessa@example.com", by_coordinator=True)] * 8
    results = race(*sends)
    assert _invitations(florence) == ["stessa@example.com"]
    assert _refusals(results) == ["recently_invited"] * 7


def test_it_counts_batch_confirmations_and_single_sends_against_one_hourly_limit(
    personas, settings
):
    from members.services.invitations import invitation_batch_confirm, invitation_batch_preview

    settings.INVITATIONS_PER_COORDINATOR_PER_HOUR = 5
    florence = personas.florence
    with scope(network=florence):
        batches = [
            invitation_batch_preview(
                network=florence,
                created_by=personas.alice,
                data="".join(f"lotto{b}-{n}@example.com\n" for n in range(3)).encode(),
            )
            for b in range(2)
        ]

    def confirm(batch):
        def act():
            with scope(network=florence):
                return invitation_batch_confirm(batch=batch, confirmed_by=personas.alice)

        return act

    single = _send(florence, personas.alice, "singolo@example.com", by_coordinator=True)
    results = race(confirm(batches[0]), confirm(batches[1]), single)
    sent = _invitations(florence)
    # In any order, one batch and the single send fit under 5; the other batch (3) does not,
    # and it is refused whole, never half sent.
    assert len(sent) == 4
    assert _refusals(results) == ["hourly_limit"]
