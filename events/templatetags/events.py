"""What events adds to pages of the apps below it: a network's public page.

A template tag rather than a line in the networks' ``network_detail`` view: networks sits below
events and never imports it, so its page asks events through the template, which Django
resolves at render time (as ``ties/templatetags/ties.py`` does for /me/).
"""

from django import template

from events.models import Event
from events.selectors import network_upcoming_public_events

register = template.Library()

# How many upcoming events a network's public page shows; the events page lists them all.
ON_NETWORK_PAGE = 3


@register.simple_tag
def upcoming_public_events_here() -> list[Event]:
    """The next public events of the network whose page is rendered (its scope is active)."""
    return network_upcoming_public_events(limit=ON_NETWORK_PAGE)
