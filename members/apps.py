from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from outbox.signals import address_opted_out

        address_opted_out.connect(_forget_invited_address, dispatch_uid="members.forget_address")
        post_delete.connect(
            _delete_photo_file, sender="members.Profile", dispatch_uid="members.photo_file"
        )


def _forget_invited_address(sender: Any, email_hash: str, **kwargs: Any) -> None:
    """The outbox cannot call up to members: it says an address opted out, and we forget it."""
    from members.services.invitations import invitations_forget_address

    invitations_forget_address(email_hash=email_hash)


def _delete_photo_file(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A profile deleted, alone or with its account, leaves no photo behind; after the commit,
    so a deletion rolled back keeps its file."""
    from members.services.photos import photo_file_delete

    name = instance.photo.name
    if name:
        transaction.on_commit(lambda: photo_file_delete(name=name))
