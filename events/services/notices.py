"""The emails events send: tickets with their calendar entry, waitlist news, cancellations.

Each fact is sent once: the outbox key names the registration (or event) and the fact.
"""

from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone, translation

from events.calendars import calendar_bytes
from events.models import Event, Registration
from events.tickets import ticket_qr_png
from networks.languages import email_language
from outbox.services import Attachment, Email, site_url


def event_url(event: Event) -> str:
    return site_url("event_detail", network_slug=event.network.slug, event_id=event.pk)


def _when(event: Event, language: str) -> str:
    """When the event runs, in the event's time zone, as the mail's language writes dates:
    “12 marzo 2026, 19:00-22:00”, “March 12, 2026, 7 p.m.-10 p.m.”."""
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    with translation.override(language):
        starts = formats.date_format(start, "DATETIME_FORMAT")
        if start.date() == end.date():
            return f"{starts}-{formats.time_format(end)}"
        return f"{starts} - {formats.date_format(end, 'DATETIME_FORMAT')}"


def event_context(event: Event, *, language: str) -> dict:
    return {
        "network_name": event.network.name,
        "event_title": event.title,
        "event_when": _when(event, language),
        "event_venue": event.venue,
        "event_address": event.address,
        "event_url": event_url(event),
    }


def ics_attachment(event: Event) -> Attachment:
    content = calendar_bytes(name=event.title, events=[(event, event_url(event))])
    return Attachment(filename="event.ics", mimetype="text/calendar", content=content)


def _recipient(registration: Registration) -> str:
    if registration.brought_by_id and not registration.email:
        return ""
    return registration.email or (registration.user.email if registration.user else "")


def _language(registration: Registration) -> str:
    """A member's own language; a guest without an account reads the network's."""
    chosen = registration.user.language if registration.user else ""
    return email_language(chosen=chosen, network=registration.event.network)


def ticket_email(
    registration: Registration,
    *,
    key: str,
    guests: Sequence[Registration] = (),
    manage_url: str = "",
) -> Email:
    """Confirmation with the ticket: its code, the QR code as an image, and the .ics entry."""
    event = registration.event
    tickets = [registration, *guests]
    language = _language(registration)
    context = {
        **event_context(event, language=language),
        "person_name": registration.name,
        "ticket_code": registration.ticket_code,
        "guest_names": [guest.name for guest in guests],
        "tickets_url": manage_url or site_url("my_events"),
    }
    attachments = (
        ics_attachment(event),
        *(
            Attachment(
                filename=f"ticket-{n}.png",
                mimetype="image/png",
                content=ticket_qr_png(code=t.ticket_code),
            )
            for n, t in enumerate(tickets, start=1)
        ),
    )
    return Email(
        template="event-ticket",
        to=_recipient(registration),
        context=context,
        idempotency_key=key,
        network_id=event.network_id,
        language=language,
        secret=True,
        attachments=attachments,
    )


def plain_email(registration: Registration, *, template: str, key: str, **extra: Any) -> Email:
    event = registration.event
    language = _language(registration)
    context = {**event_context(event, language=language), "person_name": registration.name, **extra}
    return Email(
        template=template,
        to=_recipient(registration),
        context=context,
        idempotency_key=key,
        network_id=event.network_id,
        language=language,
    )
