"""Writes on the suggestions: "not interested" in someone, for good."""

from members.models import User
from ties.models import SuggestionDismissal


def suggestion_dismiss(*, user: User, dismissed_id: int) -> None:
    """``user`` is never shown ``dismissed_id`` again; nobody is told.

    Idempotent: a second click, or two at the same instant, leave one row (the insert skips a
    pair already stored). An unknown id, or one's own, does nothing.
    """
    if dismissed_id == user.pk or not User.objects.filter(pk=dismissed_id).exists():
        return
    SuggestionDismissal.objects.bulk_create(
        [SuggestionDismissal(user=user, dismissed_id=dismissed_id)], ignore_conflicts=True
    )
