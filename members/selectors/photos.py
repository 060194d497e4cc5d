"""Reads of profile photos: the address a page shows, and the photo a visitor may see.

A photo is never served from the storage's own address: its page is ``/people/<id>/photo/``,
which answers only to whom the profile is visible (``members.selectors.visibility``). The
address carries a version, a digest of the stored name, which changes with every upload: a
browser may keep a photo for a while, and a new photo is a new address.
"""

import hashlib
import logging
import mimetypes
from typing import Any

from django.core.files.storage import default_storage
from django.urls import reverse

from members.models import Profile, User
from members.selectors.visibility import profile_visible_to

logger = logging.getLogger(__name__)


def photo_version(name: str) -> str:
    """A short digest of the stored name (not the name itself, which stays unguessable)."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def photo_url(*, user_id: int, name: str | None) -> str:
    """The address of a person's photo, or "" when they have none (the page shows initials)."""
    if not name:
        return ""
    path = reverse("profile_photo", kwargs={"user_id": user_id})
    return f"{path}?v={photo_version(name)}"


def own_photo_url(*, user: User) -> str:
    """The address of my own photo, for /me/ (one query)."""
    name = Profile.objects.filter(user=user).values_list("photo", flat=True).first()
    return photo_url(user_id=user.pk, name=name)


def visible_photo(*, viewer: Any, user_id: int) -> str:
    """The stored name of the person's photo when ``viewer`` may see their profile, else ""."""
    name = (
        User.objects.filter(profile_visible_to(viewer=viewer), pk=user_id)
        .values_list("profile__photo", flat=True)
        .first()
    )
    return name or ""


def photo_content(*, name: str) -> tuple[bytes, str] | None:
    """The photo's bytes and content type; None if the file is gone from the storage."""
    try:
        with default_storage.open(name) as stored:
            content = stored.read()
    except (OSError, ValueError):
        # The row names a file the storage no longer has (restored database, lost bucket): the
        # page shows initials rather than an error.
        logger.warning("Profile photo %s is missing from the storage", name)
        return None
    return content, mimetypes.guess_type(name)[0] or "image/jpeg"
