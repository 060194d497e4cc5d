"""Who may see what inside a network.

The tenancy middleware resolves the network from the URL and asks ``network_access`` before the
view runs. The answer follows one rule everywhere: someone with no tie to the network gets the
same 404 as for a network that does not exist; a known person with the wrong role gets 403;
an anonymous visitor on a private page is sent to log in.
"""

from collections.abc import Callable
from enum import Enum, StrEnum
from typing import TypeVar

from django.http import HttpRequest

from networks.models import Membership, Network


class Role(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"  # any account: applying, for instance
    MEMBER = "member"
    COORDINATOR = "coordinator"


class Decision(Enum):
    ALLOW = "allow"
    LOGIN = "login"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"


V = TypeVar("V", bound=Callable)


def network_view(role: Role) -> Callable[[V], V]:
    """Declare the role a network view needs; the middleware enforces it before the view runs."""

    def mark(view: V) -> V:
        view.network_role = role  # type: ignore[attr-defined]  # read back by the middleware
        return view

    return mark


def network_access(
    *, request: HttpRequest, network: Network, membership: Membership | None, role: Role
) -> Decision:
    if role is Role.PUBLIC:
        return Decision.ALLOW
    if not request.user.is_authenticated:
        return Decision.LOGIN
    if role is Role.SIGNED_IN:
        return Decision.ALLOW
    if membership is None:
        return Decision.NOT_FOUND
    # Known to the network but lapsed, suspended or ended: no member-only pages.
    if membership.status != Membership.Status.ACTIVE:
        return Decision.FORBIDDEN
    if role is Role.COORDINATOR and not membership.is_coordinator:
        return Decision.FORBIDDEN
    return Decision.ALLOW
