"""Whether a person proved an address is theirs: one rule for applying, registering for an
event and accepting an invitation.

allauth records the proof (an ``EmailAddress`` marked verified). The rule is about the address
itself: a confirmed second address does not vouch for the one the site writes to, and an
invitation is accepted only by whoever confirmed the address it was sent to.
"""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet

from members.models import User


def _proof(user: User | OuterRef, email: str | OuterRef) -> QuerySet[EmailAddress]:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True)


def email_verified(*, user: User, email: str | None = None) -> bool:
    """Whether ``user`` confirmed ``email``; by default their own address (``user.email``)."""
    return _proof(user, user.email if email is None else email).exists()


def email_verified_expression() -> Exists:
    """The same rule inside a query on users (``User.objects.annotate(verified=…)``), for a
    page that learns it together with other facts in one query."""
    return Exists(_proof(OuterRef("pk"), OuterRef("email")))
