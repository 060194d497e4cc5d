"""Introductions: a member puts two people they know in touch; each side accepts or declines.

Only people connected to the introducer, and sharing the introducer's network, can be
introduced. When both accept, each receives the other's chosen contact details and the two are
connected. A decline is "not now": nobody is told who said it.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from members.models import Profile, User
from networks.languages import email_language
from networks.models import Membership, Network
from outbox.services import email_queue, site_url
from ties.models import Connection, Introduction, Origin
from ties.services.connections import TiesError, connection_make

Reply = Introduction.Reply


def _connected(a: User, b: User) -> bool:
    low, high = sorted((a.pk, b.pk))
    return Connection.objects.filter(user_low_id=low, user_high_id=high).exists()


def _active_members(*, network: Network, users: list[User]) -> int:
    return Membership.objects.filter(
        network=network, user__in=users, status=Membership.Status.ACTIVE
    ).count()


def _check_introducible(*, network: Network, introducer: User, first: User, second: User) -> None:
    if first.pk == second.pk or introducer.pk in (first.pk, second.pk):
        raise TiesError(_("Choose two other people to introduce to each other."))
    if _active_members(network=network, users=[introducer, first, second]) != 3:
        raise TiesError(_("You can introduce only members of this network."))
    if not (_connected(introducer, first) and _connected(introducer, second)):
        raise TiesError(_("You can introduce only people you are connected to."))
    if _connected(first, second):
        raise TiesError(_("These two are already connected."))


def introduction_make(
    *, network: Network, introducer: User, first: User, second: User, note: str
) -> Introduction:
    """Introduce ``first`` and ``second``; each receives an email with a link to answer.

    Once per introducer and pair, whichever order they were chosen in: a double click gives the
    first introduction back and sends no second email.
    """
    _check_introducible(network=network, introducer=introducer, first=first, second=second)
    first, second = sorted((first, second), key=lambda user: user.pk)
    same = Q(introducer=introducer, first=first, second=second)
    with scopes_disabled():
        existing = Introduction.objects.filter(same).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                introduction = Introduction.objects.create(
                    network=network,
                    introducer=introducer,
                    first=first,
                    second=second,
                    note=note.strip()[:2000],
                )
                for recipient, other in ((first, second), (second, first)):
                    _email_invitation(introduction=introduction, recipient=recipient, other=other)
        except IntegrityError:
            return Introduction.objects.get(same)
    return introduction


def _email_invitation(*, introduction: Introduction, recipient: User, other: User) -> None:
    email_queue(
        template="ties-introduction",
        to=recipient.email,
        context={
            "recipient_name": recipient.get_short_name(),
            "introducer_name": _name(introduction.introducer),
            "other_name": _name(other),
            "other_company": contact_details(other)["company"],
            "note": introduction.note,
            "introduction_url": site_url("ties_introduction", introduction_id=introduction.pk),
        },
        language=email_language(chosen=recipient.language, network=introduction.network),
        on_duplicate="error",  # the introduction was created just now, once
        idempotency_key=f"ties-introduction-{introduction.pk}-{recipient.pk}",
        network_id=introduction.network_id,
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def _profile(user: User) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def contact_details(user: User) -> dict[str, Any]:
    """What ``user`` chose to show: their name always; email, phone, LinkedIn if they said so."""
    profile = _profile(user)
    details: dict[str, Any] = {"name": _name(user), "company": "", "email": "", "phone": ""}
    details["linkedin"] = ""
    if profile is not None:
        details["company"] = profile.company
        details["email"] = user.email if profile.show_email else ""
        details["phone"] = profile.phone if profile.show_phone else ""
        details["linkedin"] = profile.linkedin_url if profile.show_linkedin else ""
    return details


def introduction_reply(*, introduction_id: int, user: User, accept: bool) -> Introduction:
    """``user``, one of the two sides, accepts or declines; their first answer stands.

    The row is locked, so two clicks (or both sides at once) are read one after the other: the
    second acceptance, whichever it is, connects the two and sends the contact details once.
    """
    with transaction.atomic(), scopes_disabled():
        introduction = (
            Introduction.objects.select_for_update()
            .filter(Q(first=user) | Q(second=user), pk=introduction_id)
            .first()
        )
        if introduction is None:
            raise TiesError(_("This introduction is not for you."))
        field = "first_reply" if introduction.first_id == user.pk else "second_reply"
        if getattr(introduction, field) != Reply.PENDING:
            return introduction
        setattr(introduction, field, Reply.ACCEPTED if accept else Reply.DECLINED)
        both = introduction.first_reply == introduction.second_reply == Reply.ACCEPTED
        if both:
            introduction.accepted_at = timezone.now()
        introduction.save(update_fields=[field, "accepted_at"])
        if both:
            _connect(introduction)
    return introduction


def _connect(introduction: Introduction) -> None:
    first, second = introduction.first, introduction.second
    connection_make(
        user_a=first, user_b=second, origin=Origin.INTRODUCTION, network=introduction.network
    )
    for recipient, other in ((first, second), (second, first)):
        email_queue(
            template="ties-introduction-accepted",
            to=recipient.email,
            context={
                "recipient_name": recipient.get_short_name(),
                "introducer_name": _name(introduction.introducer),
                "contact": contact_details(other),
            },
            language=email_language(chosen=recipient.language, network=introduction.network),
            on_duplicate="error",  # under the row lock, once
            idempotency_key=f"ties-introduction-accepted-{introduction.pk}-{recipient.pk}",
            network_id=introduction.network_id,
        )
