"""Writes on a network's intake: its questions, its rules, a coordinator's alert choice."""

from typing import Any

from members.models import ApplicationQuestion
from members.services.applications import waitlist_promote
from networks.models import Membership, Network

QUESTION_FIELDS = ("label", "help_text", "kind", "choices", "required", "position", "active")
INTAKE_FIELDS = (
    "intake_open", "membership_cap", "one_per_sector", "card_prefix", "language",
    "member_invite_quota", "invitation_reminder_days",
)  # fmt: skip


def question_save(
    *, network: Network, question: ApplicationQuestion | None = None, **fields: Any
) -> ApplicationQuestion:
    question = question or ApplicationQuestion(network=network)
    for name in QUESTION_FIELDS:
        if name in fields:
            setattr(question, name, fields[name])
    question.network = network
    question.save()
    return question


def intake_update(*, network: Network, changed_by: Any, **fields: Any) -> Network:
    """Save the intake rules; a raised cap admits waitlisted applicants at once, in order."""
    for name in INTAKE_FIELDS:
        if name in fields:
            setattr(network, name, fields[name])
    network.card_prefix = network.card_prefix.upper()
    network.save(update_fields=list(INTAKE_FIELDS))
    waitlist_promote(network=network, decided_by=changed_by)
    return network


def alerts_update(*, membership: Membership, application_alerts: str) -> None:
    Membership.objects.filter(pk=membership.pk).update(application_alerts=application_alerts)
