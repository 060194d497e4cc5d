"""Reads for the member directory of a network, and for a person's own profile.

The directory lists the active members of one network who did not hide their profile, with only
the contact fields each member chose to show. A member who never filled in a profile is listed
with empty fields (the model's defaults: visible, no contact shown) but, having no search text,
is found by browsing only, not by the search box or the sector and city filters.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from members.models import Profile, Sector, User
from members.selectors.photos import photo_url
from members.selectors.visibility import in_directories
from networks.models import Membership, Network
from networks.paging import Page, keyset_page

PAGE_SIZE = 24
ACTIVE = Membership.Status.ACTIVE
MAX_TERMS = 5
CITY_CHOICES_LIMIT = 300
FIELDS = (
    *("id", "role", "user_id", "user__first_name", "user__last_name", "user__email"),
    *("user__profile__company", "user__profile__job_title", "user__profile__sector"),
    *("user__profile__city", "user__profile__bio", "user__profile__offers"),
    *("user__profile__needs", "user__profile__linkedin_url", "user__profile__phone"),
    *("user__profile__show_email", "user__profile__show_phone", "user__profile__show_linkedin"),
    "user__profile__photo",
)


@dataclass(frozen=True)
class DirectoryEntry:
    """One member as the directory shows them: contact fields are empty unless shown."""

    membership_id: int
    name: str
    photo_url: str  # "" without a photo: the page shows initials
    is_coordinator: bool
    company: str
    job_title: str
    sector: str  # the label, in the current language
    city: str
    bio: str
    offers: str
    needs: str
    email: str
    phone: str
    linkedin_url: str


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the sort key of the last row of the previous page."""

    last_name: str
    first_name: str
    pk: int

    def encode(self) -> str:
        raw = json.dumps([self.last_name, self.first_name, self.pk], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> "Cursor | None":
        """The position in ``token``, or None (the first page) for anything malformed."""
        if not token or len(token) > 1000:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            last, first, pk = json.loads(raw)
        except (ValueError, TypeError, binascii.Error):
            return None
        if not (isinstance(last, str) and isinstance(first, str) and type(pk) is int):
            return None
        if "\x00" in last + first:  # PostgreSQL refuses NUL in text parameters
            return None
        return cls(last, first, pk)


def _visible_members(network: Network) -> QuerySet[Membership]:
    """The visibility rule (``members.selectors.visibility``) for a member of ``network``
    looking at its members: they share it, so whoever shows in directories at all is visible."""
    return Membership.objects.filter(
        in_directories(prefix="user__"), network=network, status=ACTIVE
    )


def search_terms(query: str) -> list[str]:
    """Lower-cased words of the query; each must appear in the member's search text."""
    return query.lower().split()[:MAX_TERMS]


def network_directory(
    *, network: Network, query: str = "", sector: str = "", city: str = "", after: str | None = None
) -> Page[DirectoryEntry]:
    """One page of the network's directory and the cursor of the next page (None at the end).

    Sorted by last name, first name and membership id; pages are cut by keyset (no OFFSET, no
    COUNT). ``search_text`` is lower-cased when written, so a case-sensitive LIKE on it (Django's
    ``contains``) matches case-insensitively and can use the ``profile_search_trgm`` index;
    ``icontains`` would compare ``UPPER(search_text)``, which that index cannot serve.
    """
    rows = _visible_members(network)
    for term in search_terms(query):
        rows = rows.filter(user__profile__search_text__contains=term)
    if sector:
        rows = rows.filter(user__profile__sector=sector)
    if city:
        rows = rows.filter(user__profile__city__iexact=city)
    cursor = Cursor.decode(after)
    if cursor is not None:
        rows = rows.filter(
            Q(user__last_name__gt=cursor.last_name)
            | Q(user__last_name=cursor.last_name, user__first_name__gt=cursor.first_name)
            | Q(
                user__last_name=cursor.last_name,
                user__first_name=cursor.first_name,
                id__gt=cursor.pk,
            )
        )
    page = keyset_page(
        rows.order_by("user__last_name", "user__first_name", "id").values(*FIELDS),
        size=PAGE_SIZE,
        cursor_of=_cursor,
    )
    return Page([_entry(row) for row in page.rows], page.next_cursor)


def _cursor(row: dict[str, Any]) -> str:
    return Cursor(row["user__last_name"], row["user__first_name"], row["id"]).encode()


def _entry(row: dict[str, Any]) -> DirectoryEntry:
    def profile(name: str) -> Any:
        return row[f"user__profile__{name}"]

    def text(name: str) -> str:
        return profile(name) or ""

    sector = text("sector")
    return DirectoryEntry(
        membership_id=row["id"],
        # Never the email as a stand-in for a missing name: the member may keep it private.
        name=f"{row['user__first_name']} {row['user__last_name']}".strip(),
        photo_url=photo_url(user_id=row["user_id"], name=profile("photo")),
        is_coordinator=row["role"] == Membership.Role.COORDINATOR,
        company=text("company"),
        job_title=text("job_title"),
        sector=str(Sector(sector).label) if sector in Sector.values else "",
        city=text("city"),
        bio=text("bio"),
        offers=text("offers"),
        needs=text("needs"),
        email=row["user__email"] if profile("show_email") else "",
        phone=text("phone") if profile("show_phone") else "",
        # A missing profile means the defaults, and those show LinkedIn; but there is no URL.
        linkedin_url=text("linkedin_url") if profile("show_linkedin") else "",
    )


def network_directory_cities(*, network: Network) -> list[str]:
    """The cities the network's visible members wrote, for the city filter's suggestions."""
    cities = (
        _visible_members(network)
        .exclude(user__profile__city="")
        .values_list("user__profile__city", flat=True)
        .order_by("user__profile__city")
        .distinct()
    )
    return list(cities[:CITY_CHOICES_LIMIT])


def own_profile(*, user: User) -> Profile:
    """The person's own profile, or an unsaved one with the defaults if they never wrote it."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)
