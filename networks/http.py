"""What a view under ``/<network>/`` may read on its request, typed.

``NetworkMiddleware`` resolves the network from the URL, checks the role the view declared
(``networks.access.network_view``) and only then sets ``network`` and ``membership``. A view
annotated with ``NetworkRequest`` reads them without a cast or a ``type: ignore``.

The person here is still Django's ``request.user`` (an account or an anonymous visitor): the
networks app sits below the members app and never imports its ``User``. Pages that need an
account use ``members.http.SignedInNetworkRequest``, which narrows the user to ``members.User``
on top of this class; ``tests/clubin/test_requests.py`` checks that every view's annotation
agrees with the role it declared, so the narrowing is never a lie.
"""

from typing import cast

from django.http import HttpRequest

from networks.models import Membership, Network


class NetworkRequest(HttpRequest):
    """A request to a network page (``networks.access.Role.PUBLIC`` or any other role)."""

    network: Network
    # The visitor's tie to this network, whatever its status; None for a stranger or anonymous.
    membership: Membership | None


def as_network_request(
    request: HttpRequest, *, network: Network, membership: Membership | None
) -> NetworkRequest:
    """The middleware's request, carrying what ``NetworkRequest`` declares: set only here."""
    # Django hands the view this very object, so the cast is what the assignments make true.
    typed = cast(NetworkRequest, request)
    typed.network = network
    typed.membership = membership
    return typed
