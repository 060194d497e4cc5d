"""Reads about invitations: by token, a network's list and batch counts, a member's own."""

from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django_scopes import scopes_disabled

from members.models import Invitation, InvitationBatch, MembershipApplication
from members.services.invitations import token_hash
from networks.models import Network
from networks.paging import Page, keyset_page
from outbox.selectors import outbox_delivered, outbox_failed

State = Invitation.State
PAGE_SIZE = 50


def invitation_by_token(*, token: str) -> Invitation | None:
    """Cross-network by nature: the token alone says which network it belongs to."""
    hashed = token_hash(token)
    with scopes_disabled():
        return (
            Invitation.objects.filter(Q(token_hash=hashed) | Q(reminder_token_hash=hashed))
            .select_related("network", "inviter")
            .first()
        )


def _state() -> Case:
    """The invitation's state from its lifecycle and its email, newest fact first.

    "Sent" means delivered: the outbox says the message left. One whose addressee opted out
    (before or after it left) is "opted out", whatever its email did.
    """
    return Case(
        When(revoked_at__isnull=False, then=Value(State.REVOKED)),
        When(application__status=MembershipApplication.Status.APPROVED, then=Value(State.MEMBER)),
        When(application__isnull=False, then=Value(State.APPLIED)),
        When(opted_out_at__isnull=False, then=Value(State.OPTED_OUT)),
        When(Q(accepted_at__isnull=False) | Q(opened_at__isnull=False), then=Value(State.OPENED)),
        When(expires_at__lte=Now(), then=Value(State.EXPIRED)),
        When(outbox_failed(via="email_message"), then=Value(State.FAILED)),
        When(outbox_delivered(via="email_message"), then=Value(State.SENT)),
        default=Value(State.QUEUED),
        output_field=CharField(),
    )


def network_invitations(
    *, network: Network, state: str = "", before_id: int | None = None
) -> Page[Invitation]:
    """A page of the network's invitations, newest first, each with its state and error."""
    rows: QuerySet[Any] = (
        Invitation.objects.filter(network=network)
        .annotate(state=_state())
        .select_related("inviter", "email_message")
        .defer("email_message__body_text", "email_message__body_html", "email_message__context")
        .order_by("-id")
    )
    if state in State.values:
        rows = rows.filter(state=state)
    if before_id:
        rows = rows.filter(id__lt=before_id)
    return keyset_page(rows, size=PAGE_SIZE, cursor_of=lambda row: str(row.pk))


def state_counts(rows: QuerySet[Invitation]) -> dict[str, int]:
    counts = dict.fromkeys(State.values, 0)
    for row in rows.annotate(state=_state()).values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def network_invitation_counts(*, network: Network) -> dict[str, int]:
    return state_counts(Invitation.objects.filter(network=network))


def batch_counts(*, batch: InvitationBatch) -> dict[str, int]:
    return state_counts(Invitation.objects.filter(network_id=batch.network_id, batch=batch))


def member_invitations(*, user: Any) -> list[Invitation]:
    """Cross-network, for the person themself: the invitations they sent, newest first."""
    with scopes_disabled():
        return list(
            Invitation.objects.filter(inviter=user, by_coordinator=False)
            .annotate(state=_state())
            .select_related("network")
            .order_by("-id")[:100]
        )


def invitation_for_apply(*, network: Network, user: Any, invitation_id: int) -> Invitation | None:
    """An invitation this person accepted for this network; anything else is None (404)."""
    return (
        Invitation.objects.filter(network=network, pk=invitation_id, accepted_by=user)
        .select_related("inviter")
        .first()
    )
