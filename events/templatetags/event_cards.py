"""The coordinator's home card from this app: the next event, with its places taken.

The manage home is a networks page; networks sits below events and never imports it, so the
home asks through the template, resolved at render time.
"""

from typing import Any

from django import template

from events.selectors import next_network_event
from networks.models import Network

register = template.Library()


@register.inclusion_tag("events/_home_next_event.html")
def next_event_card(network: Network) -> dict[str, Any]:
    return {"network": network, "event": next_network_event(network=network)}
