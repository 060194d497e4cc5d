"""Who may see whose profile: one rule, asked by the directory, photos and "who is coming".

- A hidden profile is seen by nobody but its owner; neither is an inactive account.
- "networks" (the default, also for someone who never wrote a profile) is seen by the active
  members of a network where the person is an active member too.
- "federation" is seen by an active member of any network, when the person is an active member
  somewhere.
- Everyone always sees their own.

A network's directory is the second case with both sides members of the same network: there
only ``in_directories`` is left to ask. The rule is written as filters on users, so a list reads
it inside its own query (no query per row). Memberships of every network are read, so tenant
scoping is off for the subqueries, and the filters say which rows are visible.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django_scopes import scopes_disabled

from members.models import Profile
from networks.models import Membership

HIDDEN = Profile.Visibility.HIDDEN
FEDERATION = Profile.Visibility.FEDERATION
ACTIVE = Membership.Status.ACTIVE


def in_directories(*, prefix: str = "") -> Q:
    """Users who show in directories at all: active, and not hidden. ``prefix`` leads from the
    queried model to the user ("user__" from a membership or a registration)."""
    # A missing profile row means the defaults, which are visible: hence a negation, which
    # keeps the NULL of the outer join, rather than a list of the visible values.
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}profile__visibility": HIDDEN})


def profile_visible_to(*, viewer: Any, prefix: str = "") -> Q:
    """Users whose profile (and photo) ``viewer`` may see; nobody for an anonymous visitor."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    with scopes_disabled():
        mine = Membership.objects.filter(user=viewer.pk, status=ACTIVE)
        theirs = Membership.objects.filter(user=OuterRef(f"{prefix}pk"), status=ACTIVE)
    shared = Exists(theirs.filter(network_id__in=mine.values("network_id")))
    federation = Q(**{f"{prefix}profile__visibility": FEDERATION}) & Exists(theirs) & Exists(mine)
    return Q(**{f"{prefix}pk": viewer.pk}) | (
        in_directories(prefix=prefix) & (Q(shared) | federation)
    )
