from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from outbox.signals import address_opted_out

        address_opted_out.connect(_forget_invited_address, dispatch_uid="members.forget_address")


def _forget_invited_address(sender: Any, email_hash: str, **kwargs: Any) -> None:
    """The outbox cannot call up to members: it says an address opted out, and we forget it."""
    from members.services.invitations import invitations_forget_address

    invitations_forget_address(email_hash=email_hash)
