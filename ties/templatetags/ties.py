"""What ties adds to pages of the apps below it: /me/ and the coordinators' manage home.

Template tags rather than lines in the members' ``me`` view or the networks' ``manage_home``:
members and networks sit below ties and never import it, so their pages ask ties through the
template, which Django resolves at render time without a Python import from them to ties.
"""

from typing import Any

from django import template

from networks.models import Network
from networks.paging import Page
from ties.models import Introduction, OneToOne
from ties.selectors.board import unread_answer_count
from ties.selectors.connections import MyConnection, my_connections
from ties.selectors.introductions import (
    MADE_ON_ME,
    IntroductionMade,
    introductions_for,
    introductions_made,
)
from ties.selectors.meetings import one_to_ones_to_confirm
from ties.selectors.suggestions import Suggestion, people_worth_meeting
from ties.selectors.unconnected import UNCONNECTED_AFTER_DAYS, unconnected_member_count

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


@register.simple_tag
def introductions_made_by(user: Any) -> Page[IntroductionMade]:
    """The latest introductions I made, for /me/ (its next cursor says whether more follow)."""
    return introductions_made(user=user, size=MADE_ON_ME)


@register.inclusion_tag("ties/_unconnected_notice.html")
def unconnected_notice(network: Network) -> dict[str, Any]:
    """The manage home's line: how many members have no connection 30 days after joining."""
    return {
        "network": network,
        "count": unconnected_member_count(network=network),
        "days": UNCONNECTED_AFTER_DAYS,
    }
