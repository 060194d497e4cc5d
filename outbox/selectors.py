from datetime import datetime, timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from outbox.models import OutboxEmail


def outbox_recent_list(*, limit: int = 100) -> QuerySet[OutboxEmail]:
    return OutboxEmail.objects.defer("body_text", "body_html").order_by("-created_at", "-id")[
        :limit
    ]


# The outbox's statuses stay its own: other apps ask through these, for a model that points at
# an outbox row through the relation ``via`` (so the answer can be counted in one query).
def outbox_delivered(*, via: str) -> Q:
    """The message left: the SMTP server accepted it."""
    return Q(**{f"{via}__status": OutboxEmail.Status.SENT})


def outbox_failed(*, via: str) -> Q:
    """The message will not leave: refused for good, or out of attempts."""
    return Q(**{f"{via}__status": OutboxEmail.Status.FAILED})


def outbox_has_failed(*, email: OutboxEmail | None) -> bool:
    return email is not None and email.status == OutboxEmail.Status.FAILED


def outbox_key_count(*, prefix: str) -> int:
    """How many messages were queued under keys starting with ``prefix`` (attempts so far)."""
    return OutboxEmail.objects.filter(idempotency_key__startswith=prefix).count()


def outbox_last_id() -> int:
    """The newest message's id (0 for an empty outbox), to tell later messages apart."""
    return OutboxEmail.objects.aggregate(last=Max("pk"))["last"] or 0


def outbox_overdue_count(*, by: timedelta) -> int:
    """Messages still to send whose time came more than ``by`` ago: a stopped worker shows here."""
    return OutboxEmail.objects.filter(
        status__in=[OutboxEmail.Status.QUEUED, OutboxEmail.Status.RETRYING],
        next_attempt_at__lt=timezone.now() - by,
    ).count()


def outbox_failed_count(*, since: datetime) -> int:
    """Messages queued since then that will not leave."""
    return OutboxEmail.objects.filter(
        status=OutboxEmail.Status.FAILED, created_at__gt=since
    ).count()
