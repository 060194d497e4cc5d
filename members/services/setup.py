"""Writes on a network's intake: its questions, its rules, a coordinator's alert choice."""

from django.db import transaction

from members.models import ApplicationQuestion, User
from members.services.applications import places_fill
from networks.models import Membership, Network
from networks.services import network_lock

# The intake rules a coordinator sets; the service writes exactly these columns.
INTAKE_FIELDS = (
    "intake_open", "membership_cap", "one_per_sector", "card_prefix", "language",
    "member_invite_quota", "invitation_reminder_days",
)  # fmt: skip


def question_save(
    *,
    network: Network,
    question: ApplicationQuestion | None = None,
    label: str,
    help_text: str,
    kind: str,
    choices: str,
    required: bool,
    position: int,
    active: bool,
) -> ApplicationQuestion:
    """Create a question for ``network``, or change ``question``, one of its own."""
    question = question or ApplicationQuestion(network=network)
    question.network = network
    question.label, question.help_text, question.kind = label, help_text, kind
    question.choices, question.required = choices, required
    question.position, question.active = position, active
    question.save()
    return question


def intake_update(
    *,
    network: Network,
    changed_by: User,
    intake_open: bool,
    membership_cap: int | None,
    one_per_sector: bool,
    card_prefix: str,
    language: str,
    member_invite_quota: int,
    invitation_reminder_days: int,
) -> Network:
    """Save the intake rules. Saving never decides an application: only a cap that rises or
    goes away gives its new places to those already approved and waiting, in order."""
    with transaction.atomic():
        network_lock(network=network)
        # The form already wrote its values on ``network``: the cap before is the stored one.
        cap_before = Network.objects.values_list("membership_cap", flat=True).get(pk=network.pk)
        network.intake_open, network.membership_cap = intake_open, membership_cap
        network.one_per_sector, network.card_prefix = one_per_sector, card_prefix.upper()
        network.language, network.member_invite_quota = language, member_invite_quota
        network.invitation_reminder_days = invitation_reminder_days
        network.save(update_fields=list(INTAKE_FIELDS))
        if _more_places(cap_before, network.membership_cap):
            places_fill(network=network)
    return network


def _more_places(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def alerts_update(*, membership: Membership, application_alerts: str) -> None:
    Membership.objects.filter(pk=membership.pk).update(application_alerts=application_alerts)
