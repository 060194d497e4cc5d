"""Tickets: a random code per registration, signed for the QR code shown at the door.

The QR code holds the code and its signature only. The door scanner checks the signature
first, so a forged code never reaches the database, then looks the code up inside the event
being checked in, so a genuine ticket for another event is refused as well.
"""

import io
import secrets

import segno
from django.core import signing
from django.utils.safestring import SafeString, mark_safe

# Changing the salt invalidates every ticket already sent: keep it.
TICKET_SALT = "clubin.events.ticket"


def ticket_code_new() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def ticket_signed(*, code: str) -> str:
    return signing.Signer(salt=TICKET_SALT).sign(code)


def ticket_code_from_signed(*, signed: str) -> str | None:
    """The code inside a scanned ticket, or None for anything this site did not sign."""
    try:
        return signing.Signer(salt=TICKET_SALT).unsign(signed.strip())
    except signing.BadSignature:
        return None


def ticket_qr(*, code: str) -> segno.QRCode:
    """The ticket's QR code: the emailed PNG, the page's SVG and the printed badge draw this one."""
    return segno.make(ticket_signed(code=code), error="m")


def ticket_qr_svg(*, code: str) -> SafeString:
    qr = ticket_qr(code=code)
    # segno writes the SVG itself, from a signed code of URL-safe characters: nothing to escape.
    return mark_safe(qr.svg_inline(scale=5, omitsize=True))  # noqa: S308


def ticket_qr_png(*, code: str) -> bytes:
    buffer = io.BytesIO()
    ticket_qr(code=code).save(buffer, kind="png", scale=6)
    return buffer.getvalue()
