"""The coordinator's workspace: the home's cards from this app, and the roster's renewal rule.

The manage home is a networks page; networks sits below members and never imports it, so the
home asks through the template (like ``ties``' notice), resolved at render time.
"""

from datetime import date
from typing import Any

from django import template

from members.selectors.workspace import applications_waiting, renewals_due
from networks.models import Membership, Network

register = template.Library()


@register.filter
def renewal_due(membership: Membership, today: date) -> bool:
    """The service's rule for "renewal paid" (``Membership.renewal_due_on``), for a row."""
    return membership.renewal_due_on(today)


@register.filter
def in_grace(membership: Membership, today: date) -> bool:
    return membership.in_grace_on(today)


@register.inclusion_tag("members/_home_applications.html")
def applications_card(network: Network) -> dict[str, Any]:
    return {"network": network, "waiting": applications_waiting(network=network)}


@register.inclusion_tag("members/_home_renewals.html")
def renewals_card(network: Network) -> dict[str, Any]:
    return {"network": network, "due": renewals_due(network=network)}
