"""The badge of unread answers, for /me/.

A template tag rather than a line in the members' ``me`` view: members sits below ties and
never imports it, so the page asks ties for the count through the template, which Django
resolves at render time without a Python import from members to ties.
"""

from typing import Any

from django import template

from ties.selectors.board import unread_answer_count
from ties.selectors.connections import MyConnection, my_connections

register = template.Library()


@register.simple_tag
def unread_answers(user: Any) -> int:
    return unread_answer_count(user=user)


@register.simple_tag
def connections_of(user: Any) -> list[MyConnection]:
    """My connections, for the list on /me/."""
    return my_connections(user=user)
