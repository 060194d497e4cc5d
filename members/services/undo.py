"""Taking back a decision within a minute: a reject, a hold, a bulk decision, a withdrawal.

A decision that can be undone writes, in each of its log entries, the application's fields as
they were (``previous``) and one key shared by the whole decision; its emails are held back a
little longer than the window. The undo, within the window and by whoever decided, checks the
log under the same locks a decision takes (the network row, then the applications): each
application must still be as this decision left it, its latest log entry this decision's. Then
it cancels the held emails (only if none has started to leave) and puts the fields back, all or
nothing, and logs "decision undone". A second decision and an undo therefore run one after the
other: whichever comes second sees the first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from members.models import DecisionLogEntry, MembershipApplication, User
from members.services.applications import UNDO_WINDOW, decision_email_key
from networks.models import Network
from networks.services import network_lock
from outbox.services import outbox_cancel_keys

Action = DecisionLogEntry.Action
Status = MembershipApplication.Status
DECISION_TEMPLATES = (
    "application-approved", "application-waitlisted", "application-approved-waiting",
    "application-rejected",
)  # fmt: skip


class UndoUnavailable(Exception):
    """No such decision of this person's in this network, or one that cannot be undone."""


class UndoExpired(Exception):
    """The minute has passed: the decision stands (and its emails are on their way)."""


class UndoConflict(Exception):
    """Something changed one of the applications since: nothing was undone."""


@dataclass(frozen=True)
class Undone:
    applications: list[MembershipApplication]


def application_decision_undo(*, network: Network, decision_key: str, undone_by: User) -> Undone:
    """Put the applications of one decision back as they were before it, or raise."""
    now = timezone.now()
    with transaction.atomic():
        network_lock(network=network)  # the order a decision locks in: no deadlock between them
        entries = _entries(network, decision_key, undone_by)
        if now - entries[0].created_at > UNDO_WINDOW:
            raise UndoExpired
        ids = [entry.application_id for entry in entries if entry.application_id]
        applications = {
            a.pk: a
            for a in MembershipApplication.objects.select_for_update().filter(
                network=network, pk__in=ids
            )
        }
        _check_unchanged(network, entries, applications)
        keys = [
            decision_email_key(application_id=pk, template=template, decision_key=decision_key)
            for pk in ids
            for template in DECISION_TEMPLATES
        ]
        if not outbox_cancel_keys(keys=keys, reason="decision undone"):
            raise UndoConflict
        restored = [
            _restore(applications[e.application_id or 0], e.previous or {}) for e in entries
        ]
        try:
            with transaction.atomic():
                MembershipApplication.objects.bulk_update(restored, RESTORED_FIELDS)
        except IntegrityError:  # the applicant has applied again meanwhile: one open at a time
            raise UndoConflict from None
        DecisionLogEntry.objects.bulk_create(
            DecisionLogEntry(
                network=network, actor=undone_by, action=Action.UNDONE, application=a,
                decision_key=decision_key, note=f"{a.status} restored", created_at=now,
            )
            for a in restored
        )  # fmt: skip
    return Undone(restored)


def _entries(network: Network, decision_key: str, undone_by: User) -> list[DecisionLogEntry]:
    if not DecisionLogEntry.is_decision_key(decision_key):
        raise UndoUnavailable
    entries = list(
        DecisionLogEntry.objects.filter(network=network, decision_key=decision_key)
        .exclude(action=Action.UNDONE)
        .order_by("id")
    )
    if not entries or any(e.previous is None or e.actor_id != undone_by.pk for e in entries):
        raise UndoUnavailable
    return entries


# What each logged action left the application as.
STATUS_AFTER: dict[str, str] = {
    Action.WAITLISTED: Status.WAITLISTED,
    Action.APPROVED_WAITING: Status.APPROVED_WAITING,
    Action.REJECTED: Status.REJECTED,
    Action.WITHDRAWN: Status.WITHDRAWN,
}


def _check_unchanged(
    network: Network,
    entries: list[DecisionLogEntry],
    applications: dict[int, MembershipApplication],
) -> None:
    """Each application as this decision left it, and nothing logged on it since (an undo
    included: a second undo is refused here)."""
    latest = dict(
        DecisionLogEntry.objects.filter(network=network, application_id__in=list(applications))
        .values("application_id")
        .annotate(last=Max("id"))
        .values_list("application_id", "last")
    )
    for entry in entries:
        application = applications.get(entry.application_id or 0)
        if (
            application is None
            or latest.get(application.pk) != entry.pk
            or application.status != STATUS_AFTER.get(entry.action)
        ):
            raise UndoConflict


RESTORED_FIELDS = ["status", "waitlisted_at", "decided_at", "decided_by", "decision_note"]


def _restore(application: MembershipApplication, previous: dict[str, Any]) -> MembershipApplication:
    application.status = previous["status"]
    application.waitlisted_at = _when(previous.get("waitlisted_at"))
    application.decided_at = _when(previous.get("decided_at"))
    application.decided_by_id = previous.get("decided_by_id")
    application.decision_note = previous.get("decision_note", "")
    return application


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None
