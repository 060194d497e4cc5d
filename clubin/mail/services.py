"""Writes of the email outbox: queue a message, hand it to Celery after commit, deliver it.

Delivery is at-least-once with a narrow duplicate window: a worker that dies after the SMTP
server accepted a message but before the row is marked sent leaves the row "sending"; once its
lease runs out the sweep sends it again, with the same Message-ID so clients can fold the two.
"""

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clubin.mail.models import OutboxEmail

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 6
# Rows queued this recently are most likely on their way through the on-commit hand-off.
SWEEP_GRACE = timedelta(seconds=30)
BATCH_SIZE = 50

Status = OutboxEmail.Status


def email_render(*, template: str, context: Mapping[str, Any], language: str | None = None):
    """Render emails/<template>-subject.txt, -body.txt and -body.html in one language."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        ctx = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{template}-subject.txt", ctx)
        text = render_to_string(f"emails/{template}-body.txt", ctx)
        html = render_to_string(f"emails/{template}-body.html", ctx)
    return " ".join(subject.split()), text, html


def email_queue(
    *,
    template: str,
    to: str,
    context: Mapping[str, Any],
    idempotency_key: str | None = None,
    network_id: int | None = None,
    contains_secret: bool = False,
    language: str | None = None,
) -> OutboxEmail:
    subject, text, html = email_render(template=template, context=context, language=language)
    return outbox_add(
        template=template,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        idempotency_key=idempotency_key,
        network_id=network_id,
        contains_secret=contains_secret,
    )


def outbox_add(
    *,
    template: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    idempotency_key: str | None = None,
    network_id: int | None = None,
    contains_secret: bool = False,
) -> OutboxEmail:
    """Store one message in the caller's transaction; Celery gets its id once that commits.

    The same idempotency key twice gives the first row back and queues nothing new.
    """
    key = idempotency_key or f"{template}:{uuid.uuid4()}"
    with transaction.atomic():
        email, created = OutboxEmail.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "template": template,
                "to": to,
                "from_email": settings.DEFAULT_FROM_EMAIL,
                "subject": subject[:300],
                "body_text": body_text,
                "body_html": body_html,
                "network_id": network_id,
                "contains_secret": contains_secret,
            },
        )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(email_ids=[email.pk]), robust=True)
    return email


@dataclass(frozen=True)
class Email:
    """One message to queue with ``email_queue_many``; the key must be new (one per fact)."""

    template: str
    to: str
    context: Mapping[str, Any]
    idempotency_key: str
    network_id: int | None = None
    language: str | None = None


def email_queue_many(emails: Sequence[Email]) -> list[OutboxEmail]:
    """Queue many messages in one INSERT, for fan-out paths with a query budget.

    Unlike ``outbox_add`` a repeated key is an error here: callers queue facts that happen once
    (a decision under lock), so a duplicate means a bug, and the transaction rolls back.
    """
    rows = []
    for email in emails:
        subject, text, html = email_render(
            template=email.template, context=email.context, language=email.language
        )
        rows.append(
            OutboxEmail(
                template=email.template, to=email.to, subject=subject[:300], body_text=text,
                body_html=html, idempotency_key=email.idempotency_key, network_id=email.network_id,
                from_email=settings.DEFAULT_FROM_EMAIL,
            )
        )  # fmt: skip
    if not rows:
        return []
    created = OutboxEmail.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    for start in range(0, len(ids), BATCH_SIZE):
        transaction.on_commit(
            partial(outbox_dispatch, email_ids=ids[start : start + BATCH_SIZE]), robust=True
        )
    return created


def outbox_dispatch(*, email_ids: list[int]) -> bool:
    """Hand ids to a worker. A broker outage is logged, not raised: the sweep sends them later."""
    from clubin.mail.tasks import outbox_send

    try:
        outbox_send.apply_async((email_ids,), retry=False)
    except Exception:  # kombu and redis raise several unrelated types for "broker unreachable"
        logger.warning("Broker unavailable; %d email(s) wait for the sweep", len(email_ids))
        return False
    return True


def _due() -> Q:
    now = timezone.now()
    return Q(status__in=[Status.QUEUED, Status.RETRYING], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )


def outbox_claim(*, email_id: int) -> bool:
    """Take one row for sending. The row count says whether this worker won it."""
    now = timezone.now()
    won = (
        OutboxEmail.objects.filter(_due(), id=email_id).update(
            status=Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
        )
        == 1
    )
    return won


def outbox_deliver(*, email_ids: Iterable[int]) -> int:
    """Claim and send a batch over one SMTP connection; returns how many were sent."""
    claimed = [email_id for email_id in email_ids if outbox_claim(email_id=email_id)]
    if not claimed:
        return 0
    emails = list(OutboxEmail.objects.filter(id__in=claimed).order_by("id"))
    connection = get_connection(fail_silently=False)
    sent = 0
    try:
        for email in emails:
            sent += _deliver_one(connection, email)
    finally:
        _close_quietly(connection)
    return sent


def _deliver_one(connection: BaseEmailBackend, email: OutboxEmail) -> int:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=[email.to],
        headers={"Message-ID": email.message_id},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        # The connection may be half-closed after an error; start clean for the next message.
        _close_quietly(connection)
        outbox_record_failure(email=email, error=exc)
        return 0
    outbox_mark_sent(email=email)
    return 1


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.debug("SMTP connection was already gone")


def outbox_mark_sent(*, email: OutboxEmail) -> None:
    changes: dict[str, Any] = {
        "status": Status.SENT,
        "sent_at": timezone.now(),
        "lease_until": None,
    }
    changes["last_error"] = ""
    if email.contains_secret and settings.OUTBOX_SCRUB_SECRETS:
        changes |= {"body_text": "", "body_html": ""}
    OutboxEmail.objects.filter(id=email.pk, status=Status.SENDING).update(**changes)


def smtp_error_is_permanent(error: BaseException) -> bool:
    """5xx answers are final; 4xx, timeouts and broken connections are worth another try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def retry_delay(attempts: int) -> timedelta:
    """30 s, 90 s, 4.5 min, 13.5 min, 40 min: six attempts over about an hour, with jitter."""
    base = 30 * 3 ** max(attempts - 1, 0)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not a secret)


def outbox_record_failure(*, email: OutboxEmail, error: BaseException) -> None:
    description = f"{type(error).__name__}: {error}"[:500]
    attempts = OutboxEmail.objects.values_list("attempts", flat=True).get(id=email.pk)
    if smtp_error_is_permanent(error) or attempts >= MAX_ATTEMPTS:
        changes: dict[str, Any] = {"status": Status.FAILED}
        logger.error("Email %s failed for good after %d attempt(s)", email.pk, attempts)
    else:
        changes = {
            "status": Status.RETRYING,
            "next_attempt_at": timezone.now() + retry_delay(attempts),
        }
        logger.warning("Email %s will be retried: %s", email.pk, description)
    OutboxEmail.objects.filter(id=email.pk, status=Status.SENDING).update(
        last_error=description, lease_until=None, **changes
    )


def outbox_due_ids(*, limit: int = 2000) -> list[int]:
    grace_cutoff = timezone.now() - SWEEP_GRACE
    fresh = Q(status=Status.QUEUED, next_attempt_at__gt=grace_cutoff)
    return list(
        OutboxEmail.objects.filter(_due())
        .exclude(fresh)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )


def outbox_sweep() -> int:
    """Re-dispatch what was left behind: broker outages, retries that came due, dead workers."""
    ids = outbox_due_ids()
    for start in range(0, len(ids), BATCH_SIZE):
        outbox_dispatch(email_ids=ids[start : start + BATCH_SIZE])
    return len(ids)
