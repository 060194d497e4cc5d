"""Writes on a person's profile."""

from typing import TypedDict

from django.utils import timezone

from members.models import Profile, User
from outbox.services import optout_exists, optout_remove

# The profile's columns a person writes; a first save that meets a concurrent one writes them all.
PROFILE_FIELDS = (
    "company", "job_title", "sector", "city", "linkedin_url", "phone", "bio", "offers", "needs",
    "visibility", "show_email", "show_phone", "show_linkedin", "event_news",
)  # fmt: skip


class ApplicantProfile(TypedDict, total=False):
    """What the application form asks about the person, in ``profile_update``'s keywords
    (so ``profile_update(user=…, **profile)`` is checked by mypy, key by key)."""

    first_name: str
    last_name: str
    company: str
    job_title: str
    sector: str
    city: str
    linkedin_url: str


def profile_update(
    *,
    user: User,
    current: Profile | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    company: str | None = None,
    job_title: str | None = None,
    sector: str | None = None,
    city: str | None = None,
    linkedin_url: str | None = None,
    phone: str | None = None,
    bio: str | None = None,
    offers: str | None = None,
    needs: str | None = None,
    visibility: str | None = None,
    show_email: bool | None = None,
    show_phone: bool | None = None,
    show_linkedin: bool | None = None,
    event_news: bool | None = None,
) -> Profile:
    """Save the given user and profile fields; a field left out (None) keeps its value.

    ``current`` is the person's profile when the caller already loaded it (saves a query).
    """
    _names_update(user, first_name=first_name, last_name=last_name)
    changes = _given(
        company=company,
        job_title=job_title,
        sector=sector,
        city=city,
        linkedin_url=linkedin_url,
        phone=phone,
        bio=bio,
        offers=offers,
        needs=needs,
        visibility=visibility,
        show_email=show_email,
        show_phone=show_phone,
        show_linkedin=show_linkedin,
        event_news=event_news,
    )
    profile = current or Profile.objects.filter(user=user).first() or Profile(user=user)
    _record_event_news_consent(profile, user, event_news)
    for name, value in changes.items():
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


def _given(**values: object) -> dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def _names_update(user: User, **names: str | None) -> None:
    changed = {k: v for k, v in _given(**names).items() if getattr(user, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(user, name, value)
        user.save(update_fields=list(changed))


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
