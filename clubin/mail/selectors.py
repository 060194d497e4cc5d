from django.db.models import QuerySet

from clubin.mail.models import OutboxEmail


def outbox_recent_list(*, limit: int = 100) -> QuerySet[OutboxEmail]:
    return OutboxEmail.objects.defer("body_text", "body_html").order_by("-created_at", "-id")[
        :limit
    ]
