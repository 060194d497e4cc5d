"""Reads of connections: mine, with the other person and how it began."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from members.models import User
from ties.models import Connection


@dataclass(frozen=True, kw_only=True)
class MyConnection:
    id: int
    other: User
    origin: str
    origin_label: str
    created_at: Any


def my_connections(*, user: User) -> list[MyConnection]:
    """My connections, newest first, each with the other person and how it began."""
    rows = (
        Connection.objects.filter(Q(user_low=user) | Q(user_high=user))
        .select_related("user_low", "user_high")
        .order_by("-created_at", "-id")
    )
    return [
        MyConnection(
            id=row.pk,
            other=row.user_high if row.user_low_id == user.pk else row.user_low,
            origin=row.origin,
            origin_label=row.get_origin_display(),
            created_at=row.created_at,
        )
        for row in rows
    ]
