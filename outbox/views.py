"""The development outbox: every email the app wrote, readable without an SMTP server."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from outbox.models import OutboxEmail
from outbox.selectors import outbox_recent_list
from outbox.services import (
    MailMerge,
    email_content,
    email_subject,
    optout_add,
    optout_hash_from_token,
)


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


def dev_mail_list(request: HttpRequest) -> HttpResponse:
    _require_debug()
    merge = MailMerge()  # a fan-out's rows share one render per shape, as in the worker
    emails = [(email, email_subject(email=email, merge=merge)) for email in outbox_recent_list()]
    return render(request, "mail/dev_list.html", {"emails": emails})


def dev_mail_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    _require_debug()
    email = get_object_or_404(OutboxEmail, id=email_id)
    # A fan-out's row is rendered by the worker: show it as it leaves, links and all.
    subject, body, _html = email_content(email=email)
    context = {"email": email, "subject": subject, "body": body}
    return render(request, "mail/dev_detail.html", context)


@csrf_exempt  # RFC 8058 one-click: mail providers POST without a session; the signature is the key
@never_cache
def optout(request: HttpRequest, token: str) -> HttpResponse:
    """Stop invitations to an address, from any network: one click, no login."""
    email_hash = optout_hash_from_token(token)
    if email_hash is None:
        raise Http404
    if request.method == "POST":
        optout_add(email_hash=email_hash, source="link")
        return render(request, "mail/optout_done.html")
    return render(request, "mail/optout.html", {"token": token})
