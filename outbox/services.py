"""Writes of the email outbox: queue a message, hand it to Celery after commit, deliver it.

Delivery is at-least-once with a narrow duplicate window: a worker that dies after the SMTP
server accepted a message but before the row is marked sent leaves the row "sending"; once its
lease runs out the sweep sends it again, with the same Message-ID so clients can fold the two.
"""

import base64
import hashlib
import html as html_entities
import json
import logging
import random
import smtplib
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from outbox.models import EmailOptOut, OutboxEmail
from outbox.signals import address_opted_out

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Messages per Celery task (and per SMTP connection): the outbox decides, callers only say
# whether they fan one fact out to many people.
BATCH_SIZE = 50
FANOUT_BATCH_SIZE = 200  # one SMTP connection and one task per 200 invitations

# What queueing a key that is already in the outbox does, chosen by every caller:
# "skip" keeps the message already there and queues nothing new (a rerun of a daily job);
# "error" treats it as a bug: IntegrityError, and the caller's transaction rolls back (a fact
# decided under a lock happens once).
OnDuplicate = Literal["skip", "error"]


def _lease() -> timedelta:
    """How long a claimed row belongs to its worker; after that the sweep may take it back."""
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _sweep_grace() -> timedelta:
    # Rows queued this recently are most likely on their way through the on-commit hand-off.
    return timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)


Status = OutboxEmail.Status


def site_url(name: str, **kwargs: Any) -> str:
    """The absolute address of a page, for emails: SITE_URL, not whichever host served a request."""
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def email_render(
    *, template: str, context: Mapping[str, Any], language: str
) -> tuple[str, str, str]:
    """Render emails/<template>-subject.txt, -body.txt and -body.html in one language.

    The language is the recipient's and always given (``networks.languages.email_language``):
    falling back to the active one would write in the language of whoever clicked.
    Dates in the context come out the way that language writes them.
    """
    with translation.override(language):
        ctx = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{template}-subject.txt", ctx)
        text = render_to_string(f"emails/{template}-body.txt", ctx)
        html = render_to_string(f"emails/{template}-body.html", ctx)
    # A subject is plain text, but its template is escaped like any other: "d'autunno" came
    # out as "d&#x27;autunno". Undoing the escaping gives back exactly the values rendered.
    return " ".join(html_entities.unescape(subject).split()), text, html


def email_date(value: date | datetime, *, language: str) -> str:
    """A date (or a moment, in the site's time zone) as ``language`` writes it, for contexts
    stored as JSON and rendered later, where a date object would become an ISO string."""
    with translation.override(language):
        if isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return formats.date_format(value, "DATE_FORMAT")


@dataclass(frozen=True, kw_only=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes

    def as_json(self) -> dict[str, str]:
        data = base64.b64encode(self.content).decode("ascii")
        return {"filename": self.filename, "mimetype": self.mimetype, "data": data}


def email_queue(
    *,
    template: str,
    to: str,
    context: Mapping[str, Any],
    language: str,
    on_duplicate: OnDuplicate,
    idempotency_key: str | None = None,
    network_id: int | None = None,
    contains_secret: bool = False,
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
) -> OutboxEmail:
    subject, text, html = email_render(template=template, context=context, language=language)
    return outbox_add(
        reply_to=reply_to,
        on_duplicate=on_duplicate,
        template=template,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        idempotency_key=idempotency_key,
        network_id=network_id,
        contains_secret=contains_secret,
        attachments=attachments,
    )


def outbox_add(
    *,
    template: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str = "",
    idempotency_key: str | None = None,
    network_id: int | None = None,
    contains_secret: bool = False,
    attachments: Sequence[Attachment] = (),
    on_duplicate: OnDuplicate = "skip",
    reply_to: str = "",
) -> OutboxEmail:
    """Store one message in the caller's transaction; Celery gets its id once that commits.

    A key already queued gives the first row back and queues nothing new ("skip"), or raises
    IntegrityError ("error"). Product code always says which (the architecture test checks).
    """
    key = idempotency_key or f"{template}:{uuid.uuid4()}"
    fields = {
        "template": template,
        "to": to,
        "reply_to": reply_to,
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "subject": subject[:300],
        "body_text": body_text,
        "body_html": body_html,
        "network_id": network_id,
        "contains_secret": contains_secret,
        "language": language,
        "attachments": [attachment.as_json() for attachment in attachments],
    }
    with transaction.atomic():
        if on_duplicate == "skip":
            email, created = OutboxEmail.objects.get_or_create(idempotency_key=key, defaults=fields)
        else:
            email, created = OutboxEmail.objects.create(idempotency_key=key, **fields), True
    if created:
        transaction.on_commit(lambda: outbox_dispatch(email_ids=[email.pk]), robust=True)
    return email


@dataclass(frozen=True, kw_only=True)
class Email:
    """One message to queue with ``email_queue_many``; the key names the fact it tells.

    ``language`` is the recipient's (``networks.languages.email_language``), always given.
    ``render_later`` leaves rendering to the worker: the context must then be plain JSON.
    ``suppressible`` mail is dropped at send time if its address opted out; ``secret`` mail
    loses its body and context once sent.
    """

    template: str
    to: str
    context: Mapping[str, Any]
    idempotency_key: str
    network_id: int | None = None
    language: str
    render_later: bool = False
    suppressible: bool = False
    secret: bool = False
    attachments: tuple[Attachment, ...] = ()
    # Held back this long (a decision that can still be undone); cancel it meanwhile with
    # ``outbox_cancel_keys``. Nothing claims a row before its ``next_attempt_at``.
    delay: timedelta | None = None
    reply_to: str = ""


def _outbox_row(email: Email) -> OutboxEmail:
    row = OutboxEmail(
        template=email.template,
        to=email.to,
        reply_to=email.reply_to,
        idempotency_key=email.idempotency_key,
        network_id=email.network_id,
        from_email=settings.DEFAULT_FROM_EMAIL,
        suppressible=email.suppressible,
        contains_secret=email.secret,
        language=email.language,
        attachments=[attachment.as_json() for attachment in email.attachments],
    )
    if email.delay:
        row.next_attempt_at = timezone.now() + email.delay
    if email.render_later:
        row.context = dict(email.context)
    else:
        subject, row.body_text, row.body_html = email_render(
            template=email.template, context=email.context, language=email.language
        )
        row.subject = subject[:300]
    return row


def email_queue_many(
    emails: Sequence[Email],
    *,
    on_duplicate: OnDuplicate,
    fanout: bool = False,
    dispatch: bool = True,
) -> list[OutboxEmail]:
    """Queue many messages in one INSERT, for paths with a query budget; returns the new rows.

    ``on_duplicate="skip"`` leaves out keys already queued (one more query), so a rerun of the
    same day or week sends nothing twice; ``"error"`` inserts all, and a repeated key raises.
    ``fanout`` (one fact to many people) hands workers bigger batches. ``dispatch=False`` only
    stores the rows, for the benchmark's own sender; the sweep would send them later.
    """
    if on_duplicate == "skip":
        emails = _new_keys_only(emails)
    rows = [_outbox_row(email) for email in emails]
    if not rows:
        return []
    created = OutboxEmail.objects.bulk_create(rows, batch_size=2000)
    ids = [row.pk for row in created if row.pk is not None] if dispatch else []
    batch_size = FANOUT_BATCH_SIZE if fanout else BATCH_SIZE
    delays = {email.delay for email in emails if email.delay}
    # Held-back mail reaches the worker when due (the sweep catches it if the broker forgets).
    countdown = max(delays).total_seconds() if delays else 0.0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        transaction.on_commit(
            partial(outbox_dispatch, email_ids=batch, countdown=countdown), robust=True
        )
    return created


def _new_keys_only(emails: Sequence[Email]) -> list[Email]:
    keys = [email.idempotency_key for email in emails]
    known = set(
        OutboxEmail.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    return [email for email in emails if email.idempotency_key not in known]


# After a failed publish, requests leave the broker alone this long: a paused or frozen Redis
# would otherwise cost every request the socket timeout. The rows wait; the sweep sends them.
BROKER_RETRY_SECONDS = 5.0
_broker = {"down_until": 0.0}


def outbox_dispatch(*, email_ids: list[int], countdown: float = 0.0) -> bool:
    """Hand ids to a worker. A broker outage is logged, not raised: the sweep sends them later."""
    if time.monotonic() < _broker["down_until"]:
        return False
    return _publish(email_ids, countdown=countdown)


def _publish(email_ids: list[int], *, countdown: float = 0.0) -> bool:
    from outbox.tasks import outbox_send

    try:
        outbox_send.apply_async((email_ids,), retry=False, countdown=countdown)
    except Exception:  # kombu and redis raise several unrelated types for "broker unreachable"
        _broker["down_until"] = time.monotonic() + BROKER_RETRY_SECONDS
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
    claimed = OutboxEmail.objects.filter(_due(), id=email_id).update(
        status=Status.SENDING, lease_until=timezone.now() + _lease(), attempts=F("attempts") + 1
    )
    return claimed == 1


def outbox_claim_many(*, email_ids: list[int]) -> list[int]:
    """Take the due rows of a batch; rows another worker holds are skipped, not waited for.

    On PostgreSQL two statements do it (SKIP LOCKED, then one UPDATE); elsewhere each row is
    claimed by its own conditional UPDATE.
    """
    if not db_connection.features.has_select_for_update_skip_locked:
        return [email_id for email_id in email_ids if outbox_claim(email_id=email_id)]
    with transaction.atomic():
        ids = list(
            OutboxEmail.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(_due(), id__in=email_ids)
            .values_list("id", flat=True)
        )
        OutboxEmail.objects.filter(id__in=ids).update(
            status=Status.SENDING, lease_until=timezone.now() + _lease(),
            attempts=F("attempts") + 1,
        )  # fmt: skip
    return ids


def outbox_deliver(*, email_ids: Iterable[int]) -> int:
    """Claim and send a batch over one SMTP connection; returns how many were sent.

    A batch stops taking new messages after OUTBOX_BATCH_SECONDS and hands the rest back to
    the queue, so a slow SMTP server never keeps a task near the broker's visibility timeout.
    """
    claimed = outbox_claim_many(email_ids=sorted(set(email_ids)))
    if not claimed:
        return 0
    emails = _drop_opted_out(list(OutboxEmail.objects.filter(id__in=claimed).order_by("id")))
    connection = get_connection(fail_silently=False)
    deadline = time.monotonic() + settings.OUTBOX_BATCH_SECONDS
    sent = 0
    merge = MailMerge()
    try:
        _open_quietly(connection)  # opened here, so send_messages() reuses it for the batch
        with _asynchronous_commit():
            for position, email in enumerate(emails):
                if time.monotonic() > deadline:
                    _release([e.pk for e in emails[position:]])
                    break
                sent += _deliver_one(connection, email, merge)
    finally:
        _close_quietly(connection)
    return sent


@contextmanager
def _asynchronous_commit() -> Iterator[None]:
    """Mark rows sent without waiting for the WAL flush of each UPDATE (PostgreSQL only).

    A dead worker loses nothing this way (the database has every commit); only a crash of
    PostgreSQL itself could forget the last fraction of a second of marks, and those messages
    would be sent once more. Waiting for a disk flush per message would halve throughput.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _release(email_ids: list[int]) -> None:
    OutboxEmail.objects.filter(id__in=email_ids, status=Status.SENDING).update(
        status=Status.QUEUED, lease_until=None, attempts=F("attempts") - 1,
        next_attempt_at=timezone.now(),
    )  # fmt: skip


def _drop_opted_out(emails: list[OutboxEmail]) -> list[OutboxEmail]:
    """Opt-outs count when the message leaves, even for a batch queued before them."""
    by_hash = {optout_hash(e.to): e for e in emails if e.suppressible}
    if not by_hash:
        return emails
    opted_out = list(
        EmailOptOut.objects.filter(email_hash__in=by_hash).values_list("email_hash", flat=True)
    )
    cancelled = {by_hash[h].pk for h in opted_out}
    if cancelled:
        OutboxEmail.objects.filter(id__in=cancelled).update(
            status=Status.CANCELLED, lease_until=None, last_error="opted out", context=None
        )
        # Queued before the opt-out: whoever holds the address in readable form drops it now
        # (members forgets its invitations and their rows here; a member's own address stays).
        for email_hash in opted_out:
            address_opted_out.send(sender=OutboxEmail, email_hash=email_hash)
    return [e for e in emails if e.pk not in cancelled]


def row_language(email: OutboxEmail) -> str:
    # Rows queued before every message carried its language were meant for the default one.
    return email.language or settings.LANGUAGE_CODE


# Context keys that differ from one recipient to the next in a fan-out (the rest is shared).
PERSONAL_KEY = "_personal"
# Every placeholder starts with it; found in any case after the merge, a filter (``|upper``,
# ``|title``) changed a placeholder, so the substitution missed it.
MERGE_MARK = "clubinmerge"


class MailMergeError(Exception):
    """A placeholder survived substitution: the template changed a personal value (a filter,
    a slice, a comparison), so the merged message would not be the one a full render writes."""


class MailMerge:
    """Render a fan-out's template once per shape, then fill in each recipient's values.

    Ten thousand invitations share everything but a name and two links: rendering the
    templates once with placeholders and substituting strings costs a fraction of rendering
    ten thousand times. Placeholders are plain letters, so escaping leaves them intact.
    """

    def __init__(self) -> None:
        self.cache: dict[str, tuple[str, str, str]] = {}

    def render(self, email: OutboxEmail, context: dict[str, Any]) -> tuple[str, str, str]:
        personal = [*context.get(PERSONAL_KEY, ()), "optout_url"]
        # An empty value stays empty, so {% if name %} takes the same branch as for real.
        blanks = {k: f"{MERGE_MARK}{i}x" for i, k in enumerate(personal) if context.get(k)}
        shape = {**context, **blanks}
        key = json.dumps([email.template, email.language, shape], sort_keys=True, default=str)
        if key not in self.cache:
            self.cache[key] = email_render(
                template=email.template, context=shape, language=row_language(email)
            )
        subject, text, html = self.cache[key]
        for name, blank in blanks.items():
            value = str(context.get(name) or "")
            subject, text = subject.replace(blank, value), text.replace(blank, value)
            html = html.replace(blank, str(escape(value)))
        if blanks and any(MERGE_MARK in part.lower() for part in (subject, text, html)):
            return self._render_in_full(email, context)
        return subject, text, html

    @staticmethod
    def _render_in_full(email: OutboxEmail, context: dict[str, Any]) -> tuple[str, str, str]:
        problem = f"{email.template}: a mail-merge placeholder is left in the merged message"
        if settings.OUTBOX_MERGE_STRICT:
            raise MailMergeError(problem)
        logger.error("%s; rendered in full instead", problem)
        return email_render(template=email.template, context=context, language=row_language(email))


def email_content(*, email: OutboxEmail, merge: MailMerge | None = None) -> tuple[str, str, str]:
    """Subject, text and HTML as the message leaves: mail left to the worker (a fan-out) is
    rendered here, with the recipient's own values and opt-out link, as the worker does."""
    if email.context is None or email.body_text:
        return email.subject, email.body_text, email.body_html
    return _render_later(email, merge or MailMerge())


def email_subject(*, email: OutboxEmail, merge: MailMerge) -> str:
    """The subject alone, for lists whose rows were loaded without their bodies (a fan-out's
    row has no subject until it is rendered)."""
    if email.subject or email.context is None:
        return email.subject
    return _render_later(email, merge)[0]


def _render_later(email: OutboxEmail, merge: MailMerge) -> tuple[str, str, str]:
    url = optout_url(email=email.to) if email.suppressible else ""
    return merge.render(email, {**(email.context or {}), "optout_url": url})


def _message(
    connection: BaseEmailBackend, email: OutboxEmail, merge: MailMerge | None = None
) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id}
    url = optout_url(email=email.to) if email.suppressible else ""
    if url:
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject, text, html = email_content(email=email, merge=merge)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=email.from_email, to=[email.to],
        headers=headers, connection=connection,
        reply_to=[email.reply_to] if email.reply_to else None,
    )  # fmt: skip
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in email.attachments or ():
        content = base64.b64decode(attachment["data"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def _deliver_one(
    connection: BaseEmailBackend, email: OutboxEmail, merge: MailMerge | None = None
) -> int:
    message = _message(connection, email, merge)
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        # The connection may be half-closed after an error; start clean for the next message.
        _close_quietly(connection)
        outbox_record_failure(email=email, error=exc)
        _open_quietly(connection)
        return 0
    outbox_mark_sent(email=email)
    return 1


def _open_quietly(connection: BaseEmailBackend) -> None:
    """Open the batch's connection; if the server is down, each message records why."""
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        logger.warning("SMTP server unavailable; the batch's messages will be retried")


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.debug("SMTP connection was already gone")


# The hot path of fan-out: one plain statement per message, no ORM compilation. Messages that
# carried a secret (a login link, an invitation token) lose their body and context with it.
SENT_SQL = (
    "UPDATE mail_outboxemail SET status = %s, sent_at = %s, lease_until = NULL, last_error = ''"
    " WHERE id = %s AND status = %s"
)
SENT_SCRUBBED_SQL = (
    "UPDATE mail_outboxemail SET status = %s, sent_at = %s, lease_until = NULL, last_error = '',"
    " body_text = '', body_html = '', context = NULL, attachments = '[]'"
    " WHERE id = %s AND status = %s"
)


def outbox_mark_sent(*, email: OutboxEmail) -> None:
    scrub = email.contains_secret and settings.OUTBOX_SCRUB_SECRETS
    with db_connection.cursor() as cursor:
        cursor.execute(
            SENT_SCRUBBED_SQL if scrub else SENT_SQL,
            [Status.SENT, timezone.now(), email.pk, Status.SENDING],
        )


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


def outbox_due_ids(*, limit: int = 20000) -> list[int]:
    grace_cutoff = timezone.now() - _sweep_grace()
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
        _publish(ids[start : start + BATCH_SIZE])  # always tries: the sweep is the retry
    return len(ids)


# --- Cancelling and forgetting ----------------------------------------------------------------
UNFINISHED = (Status.QUEUED, Status.RETRYING)
# What an opted-out recipient's messages lose: the address, and anything written to them. The
# status, dates, template and network stay, so counts of what was sent remain right.
FORGOTTEN: dict[str, Any] = {
    "to": "", "body_text": "", "body_html": "", "context": None, "attachments": [],
}  # fmt: skip


def outbox_cancel(*, email_ids: list[int], reason: str) -> int:
    """Stop messages that have not left yet; those already sent or sending are left alone."""
    return OutboxEmail.objects.filter(id__in=email_ids, status__in=UNFINISHED).update(
        status=Status.CANCELLED, last_error=reason[:500], context=None
    )


def outbox_cancel_keys(*, keys: list[str], reason: str) -> bool:
    """Cancel the messages with these keys if none has started to leave; else cancel nothing.

    For mail held back while a decision can be undone: the undo goes ahead only if every
    message it takes back is still unsent, so nobody is told of a decision that no longer holds.
    """
    with transaction.atomic():
        rows = list(
            OutboxEmail.objects.select_for_update()
            .filter(idempotency_key__in=keys)
            .values_list("id", "status")
        )
        if any(status not in UNFINISHED for _id, status in rows):
            return False
        outbox_cancel(email_ids=[pk for pk, _status in rows], reason=reason)
    return True


def outbox_cancel_queued_since(*, after_id: int, template_prefix: str) -> int:
    """Keep queued messages as a record but never deliver them: those newer than ``after_id``
    whose template starts with ``template_prefix`` (the demo's mail to invented people)."""
    return OutboxEmail.objects.filter(
        pk__gt=after_id, template__startswith=template_prefix, status=Status.QUEUED
    ).update(status=Status.CANCELLED)


def outbox_delete_network(*, network_id: int) -> int:
    """Remove every message of a network, sent or not (a benchmark cleaning up after itself)."""
    deleted, _by_model = OutboxEmail.objects.filter(network_id=network_id).delete()
    return deleted


def outbox_forget_recipient(*, email_ids: list[int]) -> None:
    """Their recipient opted out: nothing more leaves, and no row keeps the address readable."""
    ids = [i for i in email_ids if i]
    if not ids:
        return
    outbox_cancel(email_ids=ids, reason="opted out")
    # An SMTP error may quote the address; the cancellation reason above does not.
    OutboxEmail.objects.filter(id__in=ids).exclude(status=Status.CANCELLED).update(
        last_error="", **FORGOTTEN
    )
    OutboxEmail.objects.filter(id__in=ids, status=Status.CANCELLED).update(**FORGOTTEN)


# --- Opt-outs ---------------------------------------------------------------------------------
# The module's old path, kept: every stored opt-out hash and every link already sent uses it.
OPTOUT_SALT = "clubin.mail.optout"


def optout_hash(email: str) -> str:
    """The only trace kept of an address that opted out: stable across SECRET_KEY rotations."""
    return hashlib.sha256(f"{OPTOUT_SALT}:{email.strip().lower()}".encode()).hexdigest()


def optout_url(*, email: str) -> str:
    token = signing.dumps(optout_hash(email), salt=OPTOUT_SALT)
    return site_url("mail:optout", token=token)


def optout_hash_from_token(token: str) -> str | None:
    try:
        value = signing.loads(token, salt=OPTOUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 64 else None


def optout_add(*, email_hash: str, source: str = "link") -> None:
    """Record an opt-out, and have every app forget the address in the same transaction.

    A second one for the same address changes nothing, and asks again to forget (harmless).
    """
    with transaction.atomic():
        EmailOptOut.objects.get_or_create(email_hash=email_hash, defaults={"source": source})
        address_opted_out.send(sender=EmailOptOut, email_hash=email_hash)


def optout_remove(*, email: str) -> None:
    """The person asked for this mail again (from their own settings, signed in)."""
    EmailOptOut.objects.filter(email_hash=optout_hash(email)).delete()


def optout_exists(*, email: str) -> bool:
    return EmailOptOut.objects.filter(email_hash=optout_hash(email)).exists()


def optouts_among(*, emails: Iterable[str]) -> set[str]:
    """The given addresses that opted out, for counting a fan-out before it goes."""
    by_hash = {optout_hash(email): email for email in emails}
    hashes = list(by_hash)
    found: set[str] = set()
    for i in range(0, len(hashes), OPTOUT_QUERY_CHUNK):  # SQLite limits a query's parameters
        chunk = hashes[i : i + OPTOUT_QUERY_CHUNK]
        found.update(
            EmailOptOut.objects.filter(email_hash__in=chunk).values_list("email_hash", flat=True)
        )
    return {by_hash[h] for h in found}


OPTOUT_QUERY_CHUNK = 500
