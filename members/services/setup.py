"""Writes on a network's intake: its questions, its rules, a coordinator's alert choice."""

from typing import Any

from django.db import transaction

from members.models import ApplicationQuestion
from members.services.applications import places_fill
from networks.models import Membership, Network
from networks.services import network_lock

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
    """Save the intake rules. Saving never decides an application: only a cap that rises or
    goes away gives its new places to those already approved and waiting, in order."""
    with transaction.atomic():
        network_lock(network=network)
        # The form already wrote its values on ``network``: the cap before is the stored one.
        cap_before = Network.objects.values_list("membership_cap", flat=True).get(pk=network.pk)
        for name in INTAKE_FIELDS:
            if name in fields:
                setattr(network, name, fields[name])
        network.card_prefix = network.card_prefix.upper()
        network.save(update_fields=list(INTAKE_FIELDS))
        if _more_places(cap_before, network.membership_cap):
            places_fill(network=network)
    return network


def _more_places(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def alerts_update(*, membership: Membership, application_alerts: str) -> None:
    Membership.objects.filter(pk=membership.pk).update(application_alerts=application_alerts)
