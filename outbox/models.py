"""The email outbox: one row per message, written in the transaction of the change causing it."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        RETRYING = "retrying", _("retrying")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    # Who caused it and why: a stable key makes "send this once" a database fact.
    idempotency_key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100)
    # A plain id, not a foreign key: the outbox serves every app and imports none of them.
    network_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    from_email = models.CharField(max_length=254)
    to = models.EmailField(max_length=254)
    # Where an answer goes when it is not the site (a visitor writing to coordinators).
    reply_to = models.EmailField(max_length=254, blank=True, default="", db_default="")
    subject = models.CharField(max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    contains_secret = models.BooleanField(default=False)
    # Fan-out mail is rendered by the worker, not the request: the template's context and
    # language wait here until then (ten thousand renders do not belong in a web request).
    context = models.JSONField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    # Marketing-like mail (invitations): checked against opt-outs when sent, not when queued.
    suppressible = models.BooleanField(default=False)
    # Files sent with the message (a ticket's .ics and QR code): name, MIME type, base64 data.
    attachments = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep asks for due rows that are not finished; keep that index small.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(status__in=["queued", "sending", "retrying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"

    @property
    def message_id(self) -> str:
        """Derived from the key, so a resend after a crash carries the same Message-ID."""
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
        return f"<{digest}@clubin.outbox>"


class EmailOptOut(models.Model):
    """An address that asked for no more invitations, from any network: kept only as a hash."""

    email_hash = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=20, default="link")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return self.email_hash[:12]
