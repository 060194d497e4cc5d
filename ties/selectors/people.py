"""The search behind the member pickers: a few people by name or company, among exactly those
the form would accept.

Each picker starts from the queryset its form is built from (referral candidates, one-to-one
partners, my connections for an introduction), so the search can never offer someone the form
refuses, nor anyone hidden or outside the network. The form stays the authority: whatever id
comes back is checked again when it is submitted.

Each word must appear in the first name, the last name or the company. On PostgreSQL the
lower-cased ``search_text`` of the profile (names and company among the rest, under the
``profile_search_trgm`` trigram index of the directory) must hold it too, so the index can
narrow the rows before the names are compared; a member who never wrote a profile has no such
text and is compared by name alone. SQLite has no such index: the names only, with icontains.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from members.models import Profile, User
from members.selectors.directory import search_terms
from networks.models import Network
from ties.selectors.introductions import introducible_queryset
from ties.selectors.meetings import one_to_one_partner_queryset
from ties.selectors.referrals import referral_candidate_queryset

SEARCH_LIMIT = 20
MIN_QUERY = 2


class Picker(StrEnum):
    """The forms that pick a person, by the name the search URL gives them (``for=``)."""

    REFERRAL = "referral"
    ONE_TO_ONE = "one_to_one"
    INTRODUCTION = "introduction"


def _referral(network: Network, viewer: User) -> QuerySet[User]:
    return referral_candidate_queryset(network=network, viewer=viewer)


def _one_to_one(network: Network, viewer: User) -> QuerySet[User]:
    return one_to_one_partner_queryset(network=network, user=viewer)


def _introduction(network: Network, viewer: User) -> QuerySet[User]:
    return introducible_queryset(introducer=viewer, network=network)


CANDIDATES: dict[Picker, Callable[[Network, User], QuerySet[User]]] = {
    Picker.REFERRAL: _referral,
    Picker.ONE_TO_ONE: _one_to_one,
    Picker.INTRODUCTION: _introduction,
}


@dataclass(frozen=True, kw_only=True)
class PersonFound:
    id: int
    name: str
    company: str


def people_search(
    *, network: Network, viewer: User, picker: Picker, query: str, limit: int = SEARCH_LIMIT
) -> list[PersonFound]:
    """Up to ``limit`` of the picker's candidates matching every word of ``query``, by name.

    One query, whatever the number of members; none for a query shorter than MIN_QUERY.
    """
    terms = search_terms(query)
    if len(query.strip()) < MIN_QUERY or not terms:
        return []
    rows = CANDIDATES[picker](network, viewer)
    for term in terms:
        rows = rows.filter(_matching(term))
    found = rows.order_by("last_name", "first_name", "id").values(
        "id", "first_name", "last_name", "profile__company"
    )
    return [_person(row) for row in found[:limit]]


def _matching(term: str) -> Q:
    by_name = (
        Q(first_name__icontains=term)
        | Q(last_name__icontains=term)
        | Q(profile__company__icontains=term)
    )
    if connection.vendor != "postgresql":
        return by_name
    # search_text is written lower-cased: a case-sensitive LIKE on it is what the trigram
    # index serves (icontains would compare UPPER(search_text), which it cannot). In a
    # subquery, so that the OR with "no profile" keeps it usable (on the joined column, the
    # OR turned the plan into a scan of every profile).
    profiles = Profile.objects.filter(search_text__contains=term).values("user_id")
    no_profile = ~Exists(Profile.objects.filter(user=OuterRef("pk")))
    return (Q(pk__in=profiles) | Q(no_profile)) & by_name


def _person(row: Mapping[str, Any]) -> PersonFound:
    return PersonFound(
        id=row["id"],
        # Never the email as a stand-in for a missing name: the member may keep it private.
        name=f"{row['first_name']} {row['last_name']}".strip() or _("a member"),
        company=row["profile__company"] or "",
    )
