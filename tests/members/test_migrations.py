"""Data migrations on rows as an older version left them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from outbox.services import optout_hash

BEFORE = [("members", "0006_user_language")]
AFTER = [("members", "0007_waiting_for_a_place_and_optouts")]


def _migrate(targets):
    """Migrate members to ``targets``; the models as they were then, with today's outbox."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state([*targets, *loader.graph.leaf_nodes("mail")]).apps


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _application(apps, network, n, status="waitlisted"):
    user = apps.get_model("members", "User").objects.create(email=f"old{n}@example.com")
    now = timezone.now()
    return apps.get_model("members", "MembershipApplication").objects.create(
        network=network, user=user, status=status, motivation="-", privacy_version="1",
        privacy_acknowledged_at=now, waitlisted_at=now if status == "waitlisted" else None,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_it_admits_nobody_that_the_log_does_not_show_approved(old_apps):
    network = old_apps.get_model("networks", "Network").objects.create(
        slug="florence", name="FlorenceIN", region="Toscana", city="Firenze", membership_cap=3
    )
    coordinator = old_apps.get_model("members", "User").objects.create(email="c@example.com")
    log = old_apps.get_model("members", "DecisionLogEntry").objects
    on_hold, approved_in, approved_waiting, lone = (
        _application(old_apps, network, n, status)
        for n, status in enumerate(("waitlisted", "approved", "waitlisted", "waitlisted"))
    )
    bulk = timezone.now() - timedelta(days=2)
    entries = [
        (on_hold, "waitlisted", bulk - timedelta(days=1)),  # the "Waitlist" button
        (approved_in, "approved", bulk),  # one bulk approval: one admitted...
        (approved_waiting, "waitlisted", bulk),  # ...and one waiting for a place
        (lone, "waitlisted", bulk + timedelta(seconds=1)),  # an approval when full, or a hold
    ]
    for application, action, at in entries:
        log.create(network=network, actor=coordinator, action=action, application=application,
                   created_at=at)  # fmt: skip
    apps = _migrate(AFTER)
    statuses = dict(
        apps.get_model("members", "MembershipApplication").objects.values_list("pk", "status")
    )
    assert statuses == {
        on_hold.pk: "waitlisted", approved_in.pk: "approved",
        approved_waiting.pk: "approved_waiting", lone.pk: "waitlisted",
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_it_hashes_invitations_and_forgets_addresses_that_opted_out(old_apps):
    network = old_apps.get_model("networks", "Network").objects.create(
        slug="florence", name="FlorenceIN", region="Toscana", city="Firenze"
    )
    outbox = old_apps.get_model("mail", "OutboxEmail").objects
    invitation = old_apps.get_model("members", "Invitation").objects
    now = timezone.now()
    made = {}
    for email in ("resta@example.com", "basta@example.com"):
        message = outbox.create(
            idempotency_key=email, template="invitation", to=email, from_email="x@example.com",
            subject="-", body_text=f"Ciao {email}", status="sent", attachments=[],
        )  # fmt: skip
        made[email] = invitation.create(
            network=network, email=email, name="Nome", message="Messaggio", token_hash=email,
            expires_at=now + timedelta(days=30), email_message=message,
        )  # fmt: skip
    old_apps.get_model("mail", "EmailOptOut").objects.create(
        email_hash=optout_hash("basta@example.com")
    )
    apps = _migrate(AFTER)
    rows = {
        row.pk: row
        for row in apps.get_model("members", "Invitation").objects.select_related("email_message")
    }
    kept, gone = rows[made["resta@example.com"].pk], rows[made["basta@example.com"].pk]
    assert (kept.email, kept.email_hash) == ("resta@example.com", optout_hash("resta@example.com"))
    assert kept.opted_out_at is None and kept.email_message.to == "resta@example.com"
    assert (gone.email, gone.name, gone.message) == ("", "", "")
    assert gone.email_hash == optout_hash("basta@example.com") and gone.opted_out_at
    assert (gone.email_message.to, gone.email_message.body_text) == ("", "")
    assert gone.email_message.status == "sent"  # it was delivered: it still counts as sent
