"""Writes of the board: asks and offers, their answers, closing them.

Keyword-only functions called by the views. A refusal raises ``TiesError`` with a message the
view shows as it is; the views check roles and rate limits before calling.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from members.models import User
from networks.inputs import validate_typed_date
from networks.languages import email_language
from networks.models import Membership, Network
from outbox.services import email_queue, site_url
from ties.models import Answer, Origin, Post
from ties.services.connections import TiesError, connection_make

# An ask older than this is stale: the board shows what someone needs now.
MAX_POST_DAYS = 365


def validate_post_expiry(expires_on: date) -> None:
    validate_typed_date(expires_on)
    today = timezone.localdate()
    if expires_on < today:
        raise ValidationError(_("The closing date cannot be in the past."), code="past")
    if expires_on > today + timedelta(days=MAX_POST_DAYS):
        raise ValidationError(_("An ask or offer stays open for at most a year."), code="too_far")


def post_create(
    *,
    network: Network,
    author: User,
    kind: str,
    reach: str,
    title: str,
    body: str,
    sector: str,
    city: str,
    expires_on: date,
) -> Post:
    """Post an ask or an offer to ``network``'s board (``reach`` network) or every board."""
    validate_post_expiry(expires_on)
    post = Post(
        network=network,
        author=author,
        kind=kind,
        reach=reach,
        title=title.strip(),
        body=body.strip(),
        sector=sector,
        city=city.strip(),
        expires_on=expires_on,
    )
    post.full_clean(exclude=["helpful_answer"])
    post.save()
    return post


def _is_active_member(*, user: User, network: Network) -> bool:
    return Membership.objects.filter(
        network=network, user=user, status=Membership.Status.ACTIVE
    ).exists()


def answer_create(*, post: Post, author: User, via: Network, kind: str, note: str) -> Answer:
    """Answer ``post`` from the board of ``via``, a network ``author`` is an active member of.

    Once per person and post: a double click, or two tabs at once, gives the first answer back
    and sends one email.
    """
    if post.network_id != via.pk and post.reach != Post.Reach.FEDERATION:
        raise TiesError(_("This ask is not on your network's board."))
    if not _is_active_member(user=author, network=via):
        raise TiesError(_("Only active members can answer."))
    if post.author_id == author.pk:
        raise TiesError(_("You cannot answer your own ask or offer."))
    if not post.is_open:
        raise TiesError(_("This ask or offer is closed."))
    existing = Answer.objects.filter(post=post, author=author).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                post=post, author=author, kind=kind, note=note.strip()[:2000]
            )
            _notify_author(answer=answer, post=post)
    except IntegrityError:
        # The other click won the race: its answer, and its email, are the only ones.
        return Answer.objects.get(post=post, author=author)
    return answer


def _notify_author(*, answer: Answer, post: Post) -> None:
    recipient = post.author
    email_queue(
        template="ties-answer",
        to=recipient.email,
        context={
            "recipient_name": recipient.get_short_name(),
            "answerer_name": answer.author.get_full_name() or answer.author.email,
            "answer_kind": answer.kind,
            "note": answer.note,
            "post_title": post.title,
            "post_url": site_url("ties_post", network_slug=post.network.slug, post_id=post.pk),
        },
        language=email_language(chosen=recipient.language, network=post.network),
        on_duplicate="error",  # the answer row was created just now, once
        idempotency_key=f"ties-answer-{answer.pk}",
        network_id=post.network_id,
    )


def answers_mark_read(*, post: Post, reader: User) -> int:
    """The author opened their post: its answers leave the badge on /me/."""
    if post.author_id != reader.pk:
        return 0
    return Answer.objects.filter(post=post, read_at__isnull=True).update(read_at=timezone.now())


def post_close(*, post: Post, user: User, helpful_answer_id: int | None = None) -> Post:
    """The author closes their post, optionally naming the answer that helped; once.

    Naming an answer connects the author and whoever gave it (origin "ask").
    """
    if post.author_id != user.pk:
        raise TiesError(_("Only the author can close an ask or offer."))
    with transaction.atomic(), scopes_disabled():
        # Scoping off: the author may close it from another network's board (a federation post).
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status == Post.Status.CLOSED:
            return locked
        helpful = None
        if helpful_answer_id is not None:
            helpful = Answer.objects.filter(post=locked, pk=helpful_answer_id).first()
            if helpful is None:
                raise TiesError(_("Choose one of the answers to this post."))
        locked.status = Post.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.helpful_answer = helpful
        locked.save(update_fields=["status", "closed_at", "helpful_answer"])
        if helpful is not None:
            connection_make(
                user_a=user, user_b=helpful.author, origin=Origin.ASK, network=locked.network
            )
    return locked
