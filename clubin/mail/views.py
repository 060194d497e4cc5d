"""The development outbox: every email the app wrote, readable without an SMTP server."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clubin.mail.models import OutboxEmail
from clubin.mail.selectors import outbox_recent_list


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


def dev_mail_list(request: HttpRequest) -> HttpResponse:
    _require_debug()
    return render(request, "mail/dev_list.html", {"emails": outbox_recent_list()})


def dev_mail_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    _require_debug()
    email = get_object_or_404(OutboxEmail, id=email_id)
    return render(request, "mail/dev_detail.html", {"email": email})
