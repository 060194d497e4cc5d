"""People worth meeting: members whose offers match my needs and whose needs match my offers.

On PostgreSQL the match is full text, through the GIN-indexed ``offers_tsv`` and ``needs_tsv``
columns that members' migration 0009 keeps on each profile (stemmed in Italian and in English,
so "consulenze" finds "consulenza" and "exporting" finds "export"): my text becomes a query that
any one of its words satisfies, and ``ts_rank`` orders the matches. On SQLite, which has no
stemming, a whole word must appear, in any case.

Who may be suggested follows the profile's visibility, as the directory does: a hidden profile
never; "networks" only to someone sharing an active network; "federation" to any active member
of any network. Never myself, an inactive account, someone I am connected to or dismissed.
Memberships of every network are read, so tenant scoping is off here and the query says what
is visible.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.lookups import IRegex
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from members.models import Profile, User
from networks.models import Membership
from ties.models import Connection, SuggestionDismissal

SUGGESTION_LIMIT = 5
# SQLite only: the words of my text that count (short ones are mostly articles and prepositions).
MIN_WORD = 3
MAX_WORDS = 30
# The phrases a reason names, at most, on each side.
MAX_PHRASES = 3
WORD = re.compile(r"\w+")
# My text as a query any one of its words satisfies: plainto_tsquery joins the lexemes with AND
# (and the parts of a hyphenated word with "followed by"); every operator becomes OR. Both
# configurations, since the stored vectors hold both stemmings.
ANY_WORD = " || ".join(
    f"regexp_replace(plainto_tsquery('{config}', %s)::text, ' (&|<[0-9-]+>) ', ' | ', 'g')::tsquery"
    for config in ("clubin_italian", "clubin_english")
)
LEXEMES = (
    "SELECT word, tsvector_to_array(to_tsvector('clubin_italian', word) "
    "|| to_tsvector('clubin_english', word)) FROM unnest(%s::text[]) AS word"
)


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    """Someone worth meeting, with why in words."""

    user_id: int
    name: str
    company: str
    job_title: str
    city: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Texts:
    offers: str
    needs: str


def people_worth_meeting(*, user: User, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Up to ``limit`` people for ``user`` to meet, best match first, each with its reasons.

    Two queries (my profile; the matches), and on PostgreSQL a third for the stems of the words
    the reasons quote, whatever the number of members.
    """
    mine = _my_texts(user)
    if mine is None or not (mine.offers.strip() or mine.needs.strip()):
        return []
    with scopes_disabled():
        rows = _top(_matches(_candidates(user), mine), limit)
    if not rows:
        return []
    stems = _stems(_words_of(mine.offers, mine.needs, *_row_texts(rows)))
    return [_suggestion(row, mine, stems) for row in rows]


def _top(matches: QuerySet[Profile, dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if connection.vendor != "postgresql":
        return list(matches[:limit])
    with transaction.atomic(), connection.cursor() as cursor:
        # Common words match many profiles, and the planner's cost for ranking them all passes
        # the JIT threshold: compiling took 640 ms of an 870 ms query at 100,000 members
        # (docs/benchmarks.md), for a plan that runs once. Off for this query only.
        cursor.execute("SET LOCAL jit = off")
        return list(matches[:limit])


def _my_texts(user: User) -> _Texts | None:
    """My offers and needs; None if I am not an active member anywhere (nobody sees me)."""
    with scopes_disabled():
        active = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        row = (
            Profile.objects.filter(user=user, user__is_active=True)
            .filter(Exists(active))
            .values_list("offers", "needs")
            .first()
        )
    return _Texts(*row) if row else None


def _candidates(user: User) -> QuerySet[Profile]:
    """Every profile ``user`` may be shown, before any matching."""
    my_networks = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    theirs = Membership.objects.filter(user=OuterRef("user_id"), status=Membership.Status.ACTIVE)
    shared = theirs.filter(network_id__in=my_networks.values("network_id"))
    visible = Q(Exists(theirs), visibility=Profile.Visibility.FEDERATION) | Q(
        Exists(shared), visibility=Profile.Visibility.NETWORKS
    )
    # Two lookups rather than one with OR: each is served by an index of the pair.
    connected_low = Connection.objects.filter(user_low=user, user_high=OuterRef("user_id"))
    connected_high = Connection.objects.filter(user_high=user, user_low=OuterRef("user_id"))
    dismissed = SuggestionDismissal.objects.filter(user=user, dismissed=OuterRef("user_id"))
    return (
        Profile.objects.filter(visible, user__is_active=True)
        .exclude(user=user)
        .exclude(Exists(connected_low))
        .exclude(Exists(connected_high))
        .exclude(Exists(dismissed))
    )


def _matches(candidates: QuerySet[Profile], mine: _Texts) -> QuerySet[Profile, dict[str, Any]]:
    matched: RawSQL | Q
    rank: RawSQL | Cast
    if connection.vendor == "postgresql":
        matched, rank = _full_text(mine)
    else:
        matched, rank = _plain_words(mine)
    return (
        candidates.filter(matched)
        .annotate(rank=rank)
        .order_by("-rank", "user_id")
        .values(
            *("user_id", "user__first_name", "user__last_name", "company", "job_title"),
            *("city", "offers", "needs"),
        )
    )


def _full_text(mine: _Texts) -> tuple[RawSQL, RawSQL]:
    """Their offers against my needs and their needs against my offers, through the indexes."""
    sides = [(column, text) for column, text in (("offers", mine.needs), ("needs", mine.offers))]
    sides = [(column, text) for column, text in sides if text.strip()]
    matched = " OR ".join(f"members_profile.{column}_tsv @@ ({ANY_WORD})" for column, _t in sides)
    rank = " + ".join(f"ts_rank(members_profile.{column}_tsv, {ANY_WORD})" for column, _t in sides)
    params = [text for _column, text in sides for _config in range(2)]
    # The SQL is made of constants; the members' words travel as parameters.
    return (
        RawSQL(f"({matched})", params, output_field=BooleanField()),  # noqa: S611
        RawSQL(f"({rank})", params, output_field=FloatField()),  # noqa: S611
    )


def _plain_words(mine: _Texts) -> tuple[Q, Cast]:
    """SQLite: a whole word of my needs in their offers, or of my offers in their needs."""
    matched = Q(pk__in=[])
    score: Any = Value(0)
    for column, text in (("offers", mine.needs), ("needs", mine.offers)):
        for word in _query_words(text):
            lookup = IRegex(F(column), rf"\b{re.escape(word)}\b")
            matched |= Q(lookup)
            score = score + Case(When(lookup, then=Value(1)), default=Value(0))
    return matched, Cast(score, FloatField())


def _query_words(text: str) -> list[str]:
    words = dict.fromkeys(w.lower() for w in WORD.findall(text) if len(w) >= MIN_WORD)
    return list(words)[:MAX_WORDS]


def _row_texts(rows: list[dict[str, Any]]) -> Iterable[str]:
    for row in rows:
        yield row["offers"]
        yield row["needs"]


def _words_of(*texts: str) -> list[str]:
    return sorted({word.lower() for text in texts for word in WORD.findall(text)})


def _stems(words: list[str]) -> dict[str, frozenset[str]]:
    """The lexemes each word stands for: its Italian and English stems on PostgreSQL (none for
    a stop word), the word itself on SQLite (none for a short word)."""
    if connection.vendor != "postgresql":
        return {w: frozenset([w]) if len(w) >= MIN_WORD else frozenset() for w in words}
    with connection.cursor() as cursor:
        cursor.execute(LEXEMES, [words])
        return {word: frozenset(lexemes) for word, lexemes in cursor.fetchall()}


def _suggestion(row: dict[str, Any], mine: _Texts, stems: dict[str, frozenset[str]]) -> Suggestion:
    reasons = []
    they_offer, i_need = _shared(row["offers"], mine.needs, stems)
    if they_offer:
        reasons.append(
            _("offers %(theirs)s; you are looking for %(yours)s")
            % {"theirs": they_offer, "yours": i_need}
        )
    they_need, i_offer = _shared(row["needs"], mine.offers, stems)
    if they_need:
        reasons.append(
            _("is looking for %(theirs)s; you offer %(yours)s")
            % {"theirs": they_need, "yours": i_offer}
        )
    first, last = row["user__first_name"], row["user__last_name"]
    return Suggestion(
        user_id=row["user_id"],
        name=f"{first} {last}".strip(),
        company=row["company"],
        job_title=row["job_title"],
        city=row["city"],
        reasons=reasons,
    )


def _shared(theirs: str, mine: str, stems: dict[str, frozenset[str]]) -> tuple[str, str]:
    """The phrases of each text whose words match a word of the other, as a list in words."""
    their_lexemes = _lexemes(theirs, stems)
    my_lexemes = _lexemes(mine, stems)
    their_phrases = _phrases(theirs, my_lexemes, stems)
    if not their_phrases:
        return "", ""
    return _listed(their_phrases), _listed(_phrases(mine, their_lexemes, stems))


def _lexemes(text: str, stems: dict[str, frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*(stems.get(w.lower(), frozenset()) for w in WORD.findall(text)))


def _phrases(text: str, wanted: frozenset[str], stems: dict[str, frozenset[str]]) -> list[str]:
    """Runs of matching words as written, a stop word inside a run kept ("consulenza per
    l'export"), case-insensitively distinct, in order."""
    phrases: list[str] = []
    start = end = None
    for match in WORD.finditer(text):
        lexemes = stems.get(match.group().lower(), frozenset())
        if lexemes & wanted:
            start = match.start() if start is None else start
            end = match.end()
        elif lexemes and start is not None:  # a word that does not match ends the run
            phrases.append(text[start:end])
            start = None
    if start is not None:
        phrases.append(text[start:end])
    distinct: dict[str, str] = {}
    for phrase in phrases:
        distinct.setdefault(phrase.lower(), phrase)
    return list(distinct.values())[:MAX_PHRASES]


def _listed(phrases: list[str]) -> str:
    return str(get_text_list(phrases, _("and")))
