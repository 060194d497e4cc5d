"""Typed requests for pages that need an account, as healthchecks' ``hc/accounts/http.py``.

``login_required``, and every network role above ``Role.PUBLIC``, let only a signed-in person
reach the view, so these classes narrow ``request.user`` from "an account or an anonymous
visitor" to ``members.User``, the project's user model. They live here rather than beside
``networks.http.NetworkRequest`` because the networks app sits below this one and never
imports ``User``; the network ones extend that class, so ``request.network`` and
``request.membership`` keep one declaration. ``tests/clubin/test_requests.py`` checks every
view's annotation against its decorators, so no view claims more than its guard ensures.
"""

from django.http import HttpRequest

from members.models import User
from networks.http import NetworkRequest
from networks.models import Membership


class SignedInRequest(HttpRequest):
    """A page behind ``login_required``."""

    user: User


class SignedInNetworkRequest(NetworkRequest):
    """A network page for ``Role.SIGNED_IN``: an account, with or without a membership."""

    user: User


class MemberNetworkRequest(SignedInNetworkRequest):
    """A network page for ``Role.MEMBER`` or ``Role.COORDINATOR``: the middleware let only an
    active membership of this network through."""

    membership: Membership
