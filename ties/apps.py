from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiesConfig(AppConfig):
    """Business between members: asks and offers, connections, introductions, referrals.

    It sits above events (it reads profiles, memberships and check-ins) and below the
    project; nothing below it imports it (tests/clubin/test_architecture.py).
    """

    name = "ties"
    label = "ties"
    verbose_name = _("Business between members")
