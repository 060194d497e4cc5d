"""Writes on a person's profile."""

from typing import Any

from django.utils import timezone

from members.models import Profile, User
from outbox.services import optout_exists, optout_remove

USER_FIELDS = ("first_name", "last_name")
PROFILE_FIELDS = (
    "company", "job_title", "sector", "city", "linkedin_url", "phone", "bio", "offers", "needs",
    "visibility", "show_email", "show_phone", "show_linkedin", "event_news",
)  # fmt: skip


def profile_update(*, user: User, current: Profile | None = None, **fields: Any) -> Profile:
    """Save the given user and profile fields; unknown names are refused, not ignored.

    ``current`` is the person's profile when the caller already loaded it (saves a query).
    """
    unknown = set(fields) - set(USER_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"profile_update() got unexpected fields {sorted(unknown)}")
    user_changes = {k: v for k, v in fields.items() if k in USER_FIELDS and getattr(user, k) != v}
    if user_changes:
        for name, value in user_changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(user_changes))
    profile = current or Profile.objects.filter(user=user).first() or Profile(user=user)
    _record_event_news_consent(profile, user, fields.get("event_news"))
    for name, value in fields.items():
        if name in PROFILE_FIELDS:
            setattr(profile, name, value)
    profile.user = user
    profile.search_text = profile.build_search_text()
    if profile.pk is not None:
        profile.save()
        return profile
    # An upsert: two first saves at once (two tabs) meet on the unique user, not in a 500.
    Profile.objects.bulk_create(
        [profile],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=[*PROFILE_FIELDS, "search_text", "event_news_at"],
    )
    return profile


def _record_event_news_consent(profile: Profile, user: User, wanted: bool | None) -> None:
    """Consent is recorded with its time; ticking the box lifts an earlier one-click opt-out.

    The form shows the box unticked after such an opt-out, so ticking it is a fresh consent.
    """
    if wanted is None:
        return
    lifted = wanted and optout_exists(email=user.email)
    if wanted != profile.event_news or lifted:
        # Given, withdrawn, or given again after an opt-out: each is dated.
        profile.event_news_at = timezone.now()
    if lifted:
        optout_remove(email=user.email)


def user_language_set(*, user: User, language: str) -> None:
    """Keep the language a person chose on the site: their email is written in it."""
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
