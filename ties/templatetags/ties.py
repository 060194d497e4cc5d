"""The badge of unread answers, for /me/.

A template tag rather than a line in the members' ``me`` view: members sits below ties and
never imports it, so the page asks ties for the count through the template, which Django
resolves at render time without a Python import from members to ties.
"""

from typing import Any

from django import template

from ties.models import Introduction, OneToOne
from ties.selectors.board import unread_answer_count
from ties.selectors.connections import MyConnection, my_connections
from ties.selectors.introductions import introductions_for
from ties.selectors.meetings import one_to_ones_to_confirm
from ties.selectors.suggestions import Suggestion, people_worth_meeting

register = template.Library()


@register.simple_tag
def unread_answers(user: Any) -> int:
    return unread_answer_count(user=user)


@register.simple_tag
def connections_of(user: Any) -> list[MyConnection]:
    """My connections, for the list on /me/."""
    return my_connections(user=user)


@register.simple_tag
def introductions_waiting(user: Any) -> list[Introduction]:
    """Introductions of me waiting for my answer, for /me/."""
    return introductions_for(user=user)


@register.simple_tag
def one_to_ones_waiting(user: Any) -> list[OneToOne]:
    """One-to-ones others recorded with me, waiting for my confirmation, for /me/."""
    return one_to_ones_to_confirm(user=user)


@register.simple_tag
def suggestions_for(user: Any) -> list[Suggestion]:
    """People worth meeting, for /me/."""
    return people_worth_meeting(user=user) if user.is_authenticated else []
