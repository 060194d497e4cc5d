"""Writes of profile photos: set or replace one, remove it, and leave no file behind.

The new file is written to the storage before the row names it (a file write is no part of a
transaction), under the profile's row lock; the file the row named before is deleted only once
that transaction has committed, so a rollback never leaves a row naming a deleted file, and a
failed write deletes the file nobody will name. A profile deleted, alone or with its account,
takes its file along (``members.apps``, on ``post_delete``).
"""

import logging
from typing import cast

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction

from members.models import Profile, User
from members.services.profiles import profile_update

logger = logging.getLogger(__name__)


def profile_photo_set(*, user: User, image: File) -> Profile:
    """Store ``image`` (already checked and re-encoded by the form) as the person's photo,
    replacing and deleting the one before."""
    if not Profile.objects.filter(user=user).exists():
        profile_update(user=user)  # the defaults, with their search text, as a first save
    name = _store(image)
    try:
        with transaction.atomic():
            profile = Profile.objects.select_for_update().get(user=user)
            _photo_replace(profile, name)
    except BaseException:
        photo_file_delete(name=name)  # no row names it
        raise
    return profile


def profile_photo_remove(*, user: User) -> None:
    """The person goes back to initials; their file is deleted."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is not None and profile.photo:
            _photo_replace(profile, "")


def photo_file_delete(*, name: str) -> None:
    """Delete a stored photo; one already gone is not an error (a second delete, a restore)."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("Could not delete the profile photo %s", name)


def _store(image: File) -> str:
    field = cast(models.ImageField, Profile._meta.get_field("photo"))
    return default_storage.save(field.generate_filename(None, image.name or ""), image)


def _photo_replace(profile: Profile, name: str) -> None:
    old = profile.photo.name
    profile.photo = name  # a FileField takes the stored name
    profile.save(update_fields=["photo"])
    if old:
        transaction.on_commit(lambda: photo_file_delete(name=old))
