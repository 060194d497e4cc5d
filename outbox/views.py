"""The development outbox: every email the app wrote, readable without an SMTP server."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from outbox.models import OutboxEmail
from outbox.selectors import outbox_recent_list
from outbox.services import (
    email_render,
    optout_add,
    optout_hash_from_token,
    row_language,
)


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


def dev_mail_list(request: HttpRequest) -> HttpResponse:
    _require_debug()
    return render(request, "mail/dev_list.html", {"emails": outbox_recent_list()})


def dev_mail_detail(request: HttpRequest, email_id: int) -> HttpResponse:
    _require_debug()
    email = get_object_or_404(OutboxEmail, id=email_id)
    body = email.body_text
    if not body and email.context is not None:  # rendered by the worker; show it as it will be
        _subject, body, _html = email_render(
            template=email.template,
            context={**email.context, "optout_url": "#"},
            language=row_language(email),
        )
    return render(request, "mail/dev_detail.html", {"email": email, "body": body})


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
