"""Invitations: personal, trackable, single-use links to apply, sent through the outbox.

A token is 256 random bits; only its SHA-256 is stored. It is bound to one network and one
address, expires, and is consumed by one conditional UPDATE, so two clicks give one acceptance.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import Invitation, InvitationBatch, MembershipApplication, User
from members.services.invitation_csv import CsvReport, invitation_csv_parse
from networks.jobs import for_each_network
from networks.languages import email_language
from networks.models import Membership, Network
from networks.services import network_lock
from outbox.selectors import outbox_delivered, outbox_key_count
from outbox.services import (
    PERSONAL_KEY,
    Email,
    email_date,
    email_queue_many,
    optout_hash,
    optouts_among,
    outbox_cancel,
    outbox_forget_recipient,
    site_url,
)

RECENT = timedelta(days=30)  # the same address is not invited twice by a network within this


class InvitationRefused(Exception):
    """Nothing was queued; ``reason`` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def _expiry(now: datetime) -> Any:
    return now + timedelta(days=settings.INVITATION_EXPIRY_DAYS)


# --- Checks ----------------------------------------------------------------------------------
def invitation_problems(*, network: Network, emails: list[str]) -> dict[str, str]:
    """Why each of these addresses should not be invited now (absent: it may be)."""
    if not emails:
        return {}
    problems: dict[str, str] = {}
    members = Membership.objects.filter(
        network=network, status=Membership.Status.ACTIVE, user__email__in=emails
    ).values_list("user__email", flat=True)
    problems |= dict.fromkeys(members, "already_member")
    recent = Invitation.objects.filter(
        network=network, email__in=emails, created_at__gte=timezone.now() - RECENT,
        revoked_at=None,
    ).values_list("email", flat=True)  # fmt: skip
    problems |= {email: "recently_invited" for email in recent if email not in problems}
    opted_out = optouts_among(emails=emails)
    problems |= {email: "opted_out" for email in opted_out if email not in problems}
    return problems


def _check_rate(*, network: Network, inviter: User, count: int, by_coordinator: bool) -> None:
    """Coordinators: so many per hour; members: the network's monthly quota."""
    now = timezone.now()
    if by_coordinator:
        limit, since = settings.INVITATIONS_PER_COORDINATOR_PER_HOUR, now - timedelta(hours=1)
        reason = "hourly_limit"
    else:
        limit = network.member_invite_quota
        since = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        reason = "monthly_quota"
    used = Invitation.objects.filter(
        network=network, inviter=inviter, created_at__gte=since
    ).count()
    if used + count > limit:
        raise InvitationRefused(reason)


# --- Sending ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Invitee:
    email: str
    name: str = ""
    message: str = ""


def _accept_url(token: str) -> str:
    return site_url("invitation_accept", token=token)


def _email(invitation: Invitation, token: str, *, template: str, key: str) -> Email:
    network = invitation.network
    inviter = invitation.inviter
    # Invitees have no account (or none we may look up for them): the network's language.
    language = email_language(network=network)
    context = {
        "network_name": network.name,
        "inviter_name": inviter.get_full_name() if inviter else "",
        "invitee_name": invitation.name,
        "message": invitation.message,
        "accept_url": _accept_url(token),
        "expires_on": email_date(timezone.localdate(invitation.expires_at), language=language),
        "by_coordinator": invitation.by_coordinator,
        # What changes per recipient; the worker renders the rest once per batch.
        PERSONAL_KEY: ["invitee_name", "accept_url"],
    }
    return Email(
        template=template,
        to=invitation.email,
        context=context,
        idempotency_key=key,
        network_id=network.pk,
        language=language,
        render_later=True,
        suppressible=True,
        secret=True,
    )


def _create(
    *, network: Network, inviter: User, invitees: list[Invitee], by_coordinator: bool,
    batch: InvitationBatch | None = None,
) -> list[Invitation]:  # fmt: skip
    now = timezone.now()
    tokens, invitations = [], []
    for invitee in invitees:
        token, hashed = _new_token()
        tokens.append(token)
        invitations.append(
            Invitation(
                network=network, batch=batch, inviter=inviter, by_coordinator=by_coordinator,
                email=invitee.email.lower(), email_hash=optout_hash(invitee.email),
                name=invitee.name[:150], message=invitee.message[:1000], token_hash=hashed,
                created_at=now,
                expires_at=_expiry(now),
            )
        )  # fmt: skip
    # The emails first, keyed by the token's hash, so each invitation is inserted once, already
    # pointing at its email: no second pass over ten thousand rows.
    emails = [
        _email(inv, token, template="invitation", key=f"invitation:{inv.token_hash[:40]}")
        for inv, token in zip(invitations, tokens, strict=True)
    ]
    queued = email_queue_many(emails, on_duplicate="error", fanout=True)
    for invitation, row in zip(invitations, queued, strict=True):
        invitation.email_message = row
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    return invitations


def invitation_send(
    *, network: Network, inviter: User, invitee: Invitee, by_coordinator: bool
) -> Invitation:
    """Invite one person, or refuse with a reason and queue nothing.

    The network's row is locked before any check, so simultaneous sends see each other: a
    quota of one lets one through, and an address is not invited twice by a double click.
    """
    email = invitee.email.strip().lower()
    with transaction.atomic():
        network_lock(network=network)
        if problem := invitation_problems(network=network, emails=[email]).get(email):
            raise InvitationRefused(problem)
        _check_rate(network=network, inviter=inviter, count=1, by_coordinator=by_coordinator)
        [invitation] = _create(
            network=network, inviter=inviter, by_coordinator=by_coordinator,
            invitees=[Invitee(email, invitee.name.strip(), invitee.message.strip())],
        )  # fmt: skip
    return invitation


def _problem_row(line: int, email: str, problem: str) -> tuple[int, str, str]:
    """A refused row for the report; an address that opted out is not written down again."""
    return (line, "" if problem == "opted_out" else email, problem)


def invitation_batch_preview(
    *, network: Network, created_by: User, data: bytes, filename: str = ""
) -> InvitationBatch:
    """Parse and check an upload; nothing is sent until the coordinator confirms."""
    report: CsvReport = invitation_csv_parse(data=data)
    problems: list[tuple[int, str, str]] = [(r.line, r.email, r.problem) for r in report.problems]
    valid = report.valid
    refused = invitation_problems(network=network, emails=[row.email for row in valid])
    rows = []
    for row in valid:
        if problem := refused.get(row.email):
            problems.append(_problem_row(row.line, row.email, problem))
        else:
            rows.append([row.email, row.name, row.message])
    problems.sort()
    return InvitationBatch.objects.create(
        network=network, created_by=created_by, filename=filename[:200], rows=rows,
        problems=problems, file_error=report.error,
    )  # fmt: skip


@dataclass(frozen=True)
class BatchSent:
    sent: int = 0
    left_out: int = 0  # invited or opted out between the preview and the confirmation


def invitation_batch_confirm(*, batch: InvitationBatch, confirmed_by: User) -> BatchSent:
    """Create and queue the batch's invitations; a second confirmation does nothing.

    The checks of the preview run again under the network's lock: an address invited or
    opted out since then is left out, and the hourly limit counts every send committed before.
    """
    with transaction.atomic():
        network_lock(network=batch.network)
        locked = InvitationBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != InvitationBatch.Status.DRAFT:
            return BatchSent()
        network = locked.network
        refused = invitation_problems(network=network, emails=[row[0] for row in locked.rows])
        invitees = [
            Invitee(email, name, message)
            for email, name, message in locked.rows
            if email not in refused
        ]
        _check_rate(network=network, inviter=confirmed_by, count=len(invitees), by_coordinator=True)
        _create(
            network=network, inviter=confirmed_by, invitees=invitees, by_coordinator=True,
            batch=locked,
        )  # fmt: skip
        InvitationBatch.objects.filter(pk=locked.pk).update(
            status=InvitationBatch.Status.CONFIRMED, confirmed_at=timezone.now(), rows=[]
        )
    return BatchSent(sent=len(invitees), left_out=len(locked.rows) - len(invitees))


# --- The invitee's side ----------------------------------------------------------------------
def invitation_opened(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=timezone.now())


class InvitationUnusable(Exception):
    pass


class WrongAddress(Exception):
    pass


def invitation_accept(*, invitation: Invitation, user: User, verified_emails: set[str]) -> None:
    """Consume the token for this person; the address it was sent to must be theirs."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise InvitationUnusable
        if locked.email not in {e.lower() for e in verified_emails}:
            raise WrongAddress
        now = timezone.now()
        Invitation.objects.filter(pk=locked.pk).update(
            accepted_at=now, accepted_by=user, opened_at=now
        )


def invitation_link_application(
    *, invitation: Invitation, application: MembershipApplication
) -> None:
    Invitation.objects.filter(pk=invitation.pk, application=None).update(application=application)


# --- The coordinators' side ------------------------------------------------------------------
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Withdraw an invitation whose link still works; its email is cancelled if still queued."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.can_revoke:
            return False
        Invitation.objects.filter(pk=locked.pk).update(revoked_at=timezone.now())
        if locked.email_message_id:
            outbox_cancel(email_ids=[locked.email_message_id], reason="revoked")
    return True


def invitation_resend(*, invitation: Invitation) -> bool:
    """A failed invitation gets a fresh token and a new email; others are left alone."""
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("email_message", "network", "inviter")
            .get(pk=invitation.pk)
        )
        if not locked.can_resend:
            return False
        token, hashed = _new_token()
        prefix = f"invitation-resend:{locked.pk}:"
        key = f"{prefix}{outbox_key_count(prefix=prefix)}"
        [row] = email_queue_many(
            [_email(locked, token, template="invitation", key=key)], on_duplicate="error"
        )
        Invitation.objects.filter(pk=locked.pk).update(token_hash=hashed, email_message=row)
    return True


def invitations_forget_address(*, email_hash: str) -> int:
    """An address opted out: its invitations, in every network, keep their place in the counts
    and lose the address, the name and the message, here and in their outbox rows."""
    with scopes_disabled(), transaction.atomic():  # an opt-out applies to every network
        rows = Invitation.objects.select_for_update().filter(email_hash=email_hash)
        found = list(rows.values_list("email", "email_message_id", "reminder_message_id"))
        if not found:
            return 0
        rows.update(
            email="", name="", message="", opted_out_at=Coalesce(F("opted_out_at"), timezone.now())
        )
        outbox_forget_recipient(email_ids=[i for _e, *ids in found for i in ids if i])
        _forget_in_batches({email for email, *_ids in found if email})
    return len(found)


def _forget_in_batches(emails: set[str]) -> None:
    """Reports and unconfirmed rows of CSV uploads may hold the address too."""
    for email in emails:
        for batch in InvitationBatch.objects.filter(
            Q(rows__icontains=email) | Q(problems__icontains=email)
        ):
            batch.rows = [row for row in batch.rows if row[0] != email]
            batch.problems = [
                [line, "" if address == email else address, problem]
                for line, address, problem in batch.problems
            ]
            batch.save(update_fields=["rows", "problems"])


def invitation_reminders_send(*, network: Network, now: datetime | None = None) -> int:
    """One reminder, never more, for invitations sent and not used after the network's delay."""
    days = network.invitation_reminder_days
    if not days:
        return 0
    now = now or timezone.now()
    due = list(
        Invitation.objects.filter(
            network=network,
            created_at__lte=now - timedelta(days=days),
            expires_at__gt=now,
            reminder_message=None,
            accepted_at=None,
            opened_at=None,
            revoked_at=None,
            opted_out_at=None,
        )
        .filter(outbox_delivered(via="email_message"))
        .select_related("network", "inviter")[:5000]
    )
    if not due:
        return 0
    emails, hashes = [], {}
    for invitation in due:
        token, hashes[invitation.pk] = _new_token()
        key = f"invitation-reminder:{invitation.pk}"
        emails.append(_email(invitation, token, template="invitation-reminder", key=key))
    with transaction.atomic():
        rows = email_queue_many(emails, on_duplicate="error", fanout=True)
        for invitation, row in zip(due, rows, strict=True):
            invitation.reminder_token_hash = hashes[invitation.pk]
            invitation.reminder_message = row
        Invitation.objects.bulk_update(due, ["reminder_token_hash", "reminder_message"])
    return len(due)


def invitation_reminders_send_all(*, now: datetime | None = None) -> int:
    """Daily: one reminder per unused invitation, network by network."""

    def invitation_reminders_queue(network: Network) -> int:
        return invitation_reminders_send(network=network, now=now)

    return for_each_network(invitation_reminders_queue).total_or_raise()
