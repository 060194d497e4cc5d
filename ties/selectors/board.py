"""Reads of the board: its pages, a post, its answers, the badge on /me/.

The board of a network shows that network's posts and the federation-wide posts of every
network, so these selectors switch tenant scoping off and say in the query what is visible.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from networks.models import Network
from networks.paging import Page, keyset_page
from ties.models import Answer, Post

BOARD_PAGE_SIZE = 20


@dataclass(frozen=True, kw_only=True)
class BoardFilters:
    kind: str = ""
    sector: str = ""
    city: str = ""
    network_id: int | None = None  # only federation-wide posts from that network, or its own


def _visible_from(network: Network) -> Q:
    return Q(network=network) | Q(reach=Post.Reach.FEDERATION)


def _open_now() -> Q:
    return Q(status=Post.Status.OPEN, expires_on__gte=timezone.localdate())


def board_page(*, network: Network, filters: BoardFilters, cursor: int | None = None) -> Page[Post]:
    """Open asks and offers seen from ``network``'s board, newest first, a page at a time."""
    with scopes_disabled():
        posts = (
            Post.objects.filter(_visible_from(network), _open_now())
            .select_related("network", "author", "author__profile")
            .annotate(answer_count=Count("answers"))
            .order_by("-id")
        )
        if filters.kind:
            posts = posts.filter(kind=filters.kind)
        if filters.sector:
            posts = posts.filter(sector=filters.sector)
        if filters.city:
            posts = posts.filter(city__iexact=filters.city.strip())
        if filters.network_id is not None:
            posts = posts.filter(network_id=filters.network_id)
        if cursor is not None:
            posts = posts.filter(id__lt=cursor)
        return keyset_page(posts, size=BOARD_PAGE_SIZE, cursor_of=lambda post: str(post.pk))


def board_networks() -> list[Network]:
    """The networks a board may be filtered by: every active network (federation-wide posts
    come from any of them)."""
    return list(Network.objects.filter(status="active").order_by("name"))


def post_visible(*, network: Network, post_id: int) -> Post | None:
    """A post as seen from ``network``'s board; None for one it does not show."""
    with scopes_disabled():
        return (
            Post.objects.filter(_visible_from(network), pk=post_id)
            .select_related("network", "author", "author__profile", "helpful_answer")
            .annotate(answer_count=Count("answers"))
            .first()
        )


def post_answers(*, post: Post) -> list[Answer]:
    """The answers to a post, oldest first, for its author."""
    return list(
        Answer.objects.filter(post=post)
        .select_related("author", "author__profile")
        .order_by("created_at", "id")
    )


def viewer_answer(*, post: Post, user: Any) -> Answer | None:
    return Answer.objects.filter(post=post, author=user).first()


def unread_answer_count(*, user: Any) -> int:
    """Answers to my posts I have not opened yet: the badge on /me/."""
    if not user.is_authenticated:
        return 0
    return Answer.objects.filter(post__author=user, read_at__isnull=True).count()
