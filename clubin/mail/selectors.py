from django.db.models import Q, QuerySet

from clubin.mail.models import OutboxEmail


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
