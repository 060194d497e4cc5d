"""Races on PostgreSQL with real threads: a decision happens once, card numbers never skip."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from clubin.mail.models import OutboxEmail
from members.models import MembershipApplication
from members.services.applications import (
    AlreadyDecided,
    application_decide,
    application_submit,
    application_withdraw,
)
from networks.models import Membership
from tests.conftest import needs_postgres
from tests.members.factories import applicant, application

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def _race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions at the same instant, one thread each; return results or exceptions."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # the outcome under test, recorded for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
        results = _race(_decide(florence, app, "approved", personas.alice), other)
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
    results = _race(*(_decide(florence, app, "approved", personas.alice) for app in apps))
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

    results = _race(submit, submit)
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
        results = _race(accept, accept)
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 2 or (
            len(failures) == 1 and isinstance(failures[0], InvitationUnusable)
        ), results
