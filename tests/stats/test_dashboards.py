"""Dashboards: hand-computed figures, exports, access, privacy, charts, queries and refreshes.

One small history is built by hand (``history``) and every figure of the page is checked
against numbers worked out on paper, for the last 30 days and for a custom range that crosses
the end of October and the end of summer time (Europe/Rome, 2026-10-25). "Now" is fixed at
2026-11-20 10:00 in Rome.

FlorenceIN (region Toscana)
    memberships  Alice (coordinator) joined 2024-01-15; Bob 2026-08-01 (90 days on 2026-10-30);
                 Carla 2026-10-27 (approved A1); Ivo 2026-11-11 (approved A2, invited);
                 Laura joined 2025-05-01, lapsed, valid until 2026-11-10 (left on 2026-11-11)
    applications A1 Carla  submitted 10-24 09:00, approved 10-27 09:00   (3 days, over the DST end)
                 A2 Ivo    submitted 11-01 00:30, approved 11-11 09:00   (10 days; 00:30 in Rome
                           is still October 31 in UTC)
                 A3 Rita   submitted 10-20 00:30, rejected 11-09 12:00   (20 days; 10-19 in UTC)
                 A4 Paola  pending since 11-04 09:00 (16 days: waiting more than 14 days)
                 A5 Pietro pending since 11-15 09:00 (5 days)
    invitations  10-23 (Ivo's: he applied with A2), 10-25 23:30, 11-15
    events       E1 2026-10-25 23:30 (after the clocks went back): Alice, Bob, Laura and Vittoria
                    (of VenetoIN) confirmed; Bob, Laura, Vittoria checked in; one walk-in
                 E2 2026-11-06 00:30 (still November 5 in UTC): Carla confirmed and checked in
                 E3 a draft on 2026-11-10: counts nowhere
VenetoIN (region Veneto)
    memberships  Charlie (coordinator) 2024-02-01; Vittoria 2025-09-01;
                 Velia joined 2025-01-01, lapsed, valid until 2026-11-01 (left on 2026-11-02)
    no application, no invitation, no event; Vittoria's check-in at E1 is a visit elsewhere
LiguriaIN (region Liguria): nothing at all.

Business between members (ties)
    connections  C1 Bob and Vittoria met at E1 (both ways), made 10-26 09:00: across networks
                 C2 Alice and Carla, from introduction I1, 11-12 10:00
                 C3 Alice and Bob, a one-to-one, 09-01 10:00; Charlie has no connection at all
    asks         P1 Carla 11-02 09:00, answered by Bob 11-05 09:00 (within 7 days)
                 P2 Bob 11-10 10:00, answered by Carla 11-18 10:00 (8 days: too late)
                 P3 an offer by Alice 11-01: not an ask
    introductions I1 by Bob of Alice and Carla 11-08 10:00, accepted by both 11-12 10:00
                 I2 by Alice of Bob and Ivo 11-19 10:00, waiting
    one-to-ones  O1 Bob with Carla on 10-30, confirmed 11-01 10:00; O2 Alice with Ivo, unconfirmed
    referrals    R1 Carla to Bob 11-03 10:00, won on 11-14 for 12,500.50 euro
                 R2 Bob to Alice 11-16 10:00, passed; R3 (VenetoIN) Vittoria to Charlie
                 10-21 10:00, lost on 10-28
    first real collaborations: Bob and Carla on 11-01 (O1), Alice on 11-12 (I1)
"""

import csv
import io
import json
import re
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clubin.stats import tasks
from clubin.stats import views as stats_views
from clubin.stats.models import DecisionDays, NetworkDay, NetworkSnapshot, Refresh
from clubin.stats.selectors import dashboard, period_for
from clubin.stats.services import stats_rebuild
from events.models import Registration
from events.services.checkin import checkin_registration, walk_in_add
from events.services.registrations import registration_register
from members.models import Invitation, MembershipApplication, User
from members.services.renewals import memberships_lapse
from networks.models import Membership, Network
from outbox.models import OutboxEmail
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.events.factories import make_event, rome
from tests.members.factories import application, member
from ties.models import Answer, Connection, Introduction, OneToOne, Origin, Post, Referral

pytestmark = pytest.mark.django_db

NOW = rome(2026, 11, 20, 10, 0)
App = MembershipApplication.Status

FEDERATION = "/federation/"
CSV_URL = "/federation/stats.csv"
JSON_URL = "/federation/stats.json"
FLORENCE_STATS = "/florence/manage/stats/"
CUSTOM = {"period": "custom", "start": "2026-10-20", "end": "2026-11-05"}

# The fields docs/stats.md documents, in its order.
DOCUMENTED_FIELDS = [
    "slug", "name", "region", "status", "coordinators", "members_active", "aspiring",
    "new_members", "applications", "approved", "rejected", "approval_rate", "median_days",
    "p90_days", "waiting_over_14", "invitations_sent", "invitations_applied",
    "invitations_joined", "invitation_application_share", "invitation_member_share",
    "events_held", "registrations", "attended", "walk_ins", "attendance_rate",
    "attended_last_90", "attended_last_90_share", "attended_elsewhere", "first_event",
    "active_after_90", "last_event_day", "pending_ages", "connections", "connections_total",
    "connections_per_member", "connections_cross", "connections_cross_share",
    "event_connections", "connections_per_event", "reached_30", "connected_30",
    "connected_30_share", "reached_90", "connected_90", "connected_90_share", "asks_posted",
    "asks_answered_7", "asks_answered_share", "introductions_made", "introductions_accepted",
    "one_to_ones", "referrals_passed", "referrals_won", "referral_value_won",
    "first_collaboration", "unconnected_30",
]  # fmt: skip
TEXT_FIELDS = {"slug", "name", "region", "status", "last_event_day", "referral_value_won"}
FLOAT_FIELDS = {
    "approval_rate", "invitation_application_share", "invitation_member_share",
    "attendance_rate", "attended_last_90_share", "connections_per_member",
    "connections_cross_share", "connections_per_event", "connected_30_share",
    "connected_90_share", "asks_answered_share",
}  # fmt: skip

# Everything a network with no data at all shows (its identity apart).
EMPTY = {
    "coordinators": 0, "members_active": 0, "members_30_days_before": 0, "aspiring": 0,
    "new_members": 0, "applications": 0, "approved": 0, "rejected": 0, "approval_rate": None,
    "median_days": None, "p90_days": None, "waiting_over_14": 0, "invitations_sent": 0,
    "invitations_applied": 0, "invitations_joined": 0, "invitation_application_share": None,
    "invitation_member_share": None, "events_held": 0, "registrations": 0, "attended": 0,
    "walk_ins": 0, "attendance_rate": None, "attended_last_90": 0,
    "attended_last_90_share": None, "attended_elsewhere": 0, "first_event": 0,
    "active_after_90": 0, "last_event_day": None, "pending_ages": [0, 0, 0, 0],
    "connections": 0, "connections_total": 0, "connections_per_member": None,
    "connections_cross": 0, "connections_cross_share": None, "event_connections": 0,
    "connections_per_event": None, "reached_30": 0, "connected_30": 0,
    "connected_30_share": None, "reached_90": 0, "connected_90": 0, "connected_90_share": None,
    "asks_posted": 0, "asks_answered_7": 0, "asks_answered_share": None,
    "introductions_made": 0, "introductions_accepted": 0, "one_to_ones": 0,
    "referrals_passed": 0, "referrals_won": 0, "referral_value_won": "0.00",
    "first_collaboration": 0, "unconnected_30": 0,
}  # fmt: skip
FLORENCE_ID = {"slug": "florence", "name": "FlorenceIN", "region": "Toscana", "status": "active"}
VENETO_ID = {"slug": "veneto", "name": "VenetoIN", "region": "Veneto", "status": "active"}
LIGURIA_ID = {"slug": "liguria", "name": "LiguriaIN", "region": "Liguria", "status": "forming"}
TOTALS_ID = {"slug": "", "name": "", "region": "", "status": ""}

# The last 30 days: 2026-10-22 to 2026-11-20, compared with 2026-10-21.
FLORENCE_30D = {
    **EMPTY, **FLORENCE_ID,
    "coordinators": 1, "members_active": 4, "members_30_days_before": 3,
    "aspiring": 2,  # 5 submitted, 3 decided
    "new_members": 2, "applications": 4,  # A3 was submitted before the period
    "approved": 2, "rejected": 1, "approval_rate": 0.6667, "median_days": 10, "p90_days": 20,
    "waiting_over_14": 1, "pending_ages": [1, 0, 1, 0],
    "invitations_sent": 3, "invitations_applied": 1, "invitations_joined": 1,
    "invitation_application_share": 0.3333, "invitation_member_share": 0.3333,
    "events_held": 2, "registrations": 5, "attended": 4, "walk_ins": 1, "attendance_rate": 0.8,
    "attended_last_90": 2, "attended_last_90_share": 0.5,  # Bob and Carla; Laura has lapsed
    "attended_elsewhere": 0, "first_event": 3,  # Bob, Laura, Carla
    "active_after_90": 1,  # Bob, on 2026-10-30
    "last_event_day": "2026-11-06",
    # C1 for Bob (across: Vittoria is in VenetoIN), C2 for Alice and for Carla; with C3, five
    # connections of four members so far.
    "connections": 3, "connections_total": 5, "connections_per_member": 1.25,
    "connections_cross": 1, "connections_cross_share": 0.3333,
    "event_connections": 1, "connections_per_event": 0.5,  # C1 at E1, of two events
    "reached_90": 1, "connected_90": 1, "connected_90_share": 1.0,  # Bob on 10-30, C3 before
    "asks_posted": 2, "asks_answered_7": 1, "asks_answered_share": 0.5,
    "introductions_made": 2, "introductions_accepted": 1, "one_to_ones": 1,
    "referrals_passed": 2, "referrals_won": 1, "referral_value_won": "12500.50",
    "first_collaboration": 3,
}  # fmt: skip
VENETO_30D = {
    **EMPTY, **VENETO_ID,
    "coordinators": 1, "members_active": 2, "members_30_days_before": 3,
    "attended_last_90": 1, "attended_last_90_share": 0.5, "attended_elsewhere": 1,
    "first_event": 1,
    "connections": 1, "connections_total": 1, "connections_per_member": 0.5,  # C1, Vittoria's
    "connections_cross": 1, "connections_cross_share": 1.0,
    "unconnected_30": 1,  # Charlie
}  # fmt: skip
LIGURIA_30D = {**EMPTY, **LIGURIA_ID}
TOTALS_30D = {
    **EMPTY, **TOTALS_ID,
    "coordinators": 2, "members_active": 6, "members_30_days_before": 6, "aspiring": 2,
    "new_members": 2, "applications": 4, "approved": 2, "rejected": 1, "approval_rate": 0.6667,
    "median_days": 10, "p90_days": 20, "waiting_over_14": 1, "pending_ages": [1, 0, 1, 0],
    "invitations_sent": 3, "invitations_applied": 1, "invitations_joined": 1,
    "invitation_application_share": 0.3333, "invitation_member_share": 0.3333,
    "events_held": 2, "registrations": 5, "attended": 4, "walk_ins": 1, "attendance_rate": 0.8,
    "attended_last_90": 3, "attended_last_90_share": 0.5, "attended_elsewhere": 1,
    "first_event": 4, "active_after_90": 1, "last_event_day": "2026-11-06",
    "connections": 4, "connections_total": 6, "connections_per_member": 1.0,
    "connections_cross": 2, "connections_cross_share": 0.5,
    "event_connections": 1, "connections_per_event": 0.5,
    "reached_90": 1, "connected_90": 1, "connected_90_share": 1.0,
    "asks_posted": 2, "asks_answered_7": 1, "asks_answered_share": 0.5,
    "introductions_made": 2, "introductions_accepted": 1, "one_to_ones": 1,
    "referrals_passed": 2, "referrals_won": 1, "referral_value_won": "12500.50",
    "first_collaboration": 3, "unconnected_30": 1,
}  # fmt: skip

# 2026-10-20 to 2026-11-05, compared with 2026-10-06: E2 and Laura's departure fall after it.
FLORENCE_CUSTOM = {
    **FLORENCE_30D,
    "members_active": 4,  # Alice, Bob, Laura (still valid), Carla
    "members_30_days_before": 3, "aspiring": 3,  # A1 was the only decision by 11-05
    "new_members": 1, "applications": 4,  # A3 (00:30 on the first day) counts, A5 is later
    "approved": 1, "rejected": 0, "approval_rate": 1.0, "median_days": 3, "p90_days": 3,
    "invitations_sent": 2, "invitations_applied": 1, "invitations_joined": 0,
    "invitation_application_share": 0.5, "invitation_member_share": 0.0,
    "events_held": 1, "registrations": 4, "attended": 3, "walk_ins": 1,
    "attendance_rate": 0.75, "first_event": 2, "active_after_90": 1,
    "last_event_day": "2026-10-25",
    "connections": 1, "connections_total": 3, "connections_per_member": 0.75,  # C1; C3 before
    "connections_cross": 1, "connections_cross_share": 1.0,
    "event_connections": 1, "connections_per_event": 1.0,
    "asks_posted": 1, "asks_answered_7": 1, "asks_answered_share": 1.0,  # P1
    "introductions_made": 0, "introductions_accepted": 0, "one_to_ones": 1,
    "referrals_passed": 1, "referrals_won": 0, "referral_value_won": "0.00",
    "first_collaboration": 2,  # Bob and Carla, O1
}  # fmt: skip
VENETO_CUSTOM = {**VENETO_30D, "referrals_passed": 1}  # Velia left on 11-02: 2 against 3; R3
LIGURIA_CUSTOM = {**LIGURIA_30D}
TOTALS_CUSTOM = {
    **TOTALS_30D,
    "members_active": 6, "members_30_days_before": 6, "aspiring": 3, "new_members": 1,
    "applications": 4, "approved": 1, "rejected": 0, "approval_rate": 1.0, "median_days": 3,
    "p90_days": 3, "invitations_sent": 2, "invitations_applied": 1, "invitations_joined": 0,
    "invitation_application_share": 0.5, "invitation_member_share": 0.0, "events_held": 1,
    "registrations": 4, "attended": 3, "walk_ins": 1, "attendance_rate": 0.75,
    "first_event": 3, "active_after_90": 1, "last_event_day": "2026-10-25",
    "connections": 2, "connections_total": 4, "connections_per_member": 0.6667,
    "connections_cross": 2, "connections_cross_share": 1.0,
    "event_connections": 1, "connections_per_event": 1.0,
    "asks_posted": 1, "asks_answered_7": 1, "asks_answered_share": 1.0,
    "introductions_made": 0, "introductions_accepted": 0, "one_to_ones": 1,
    "referrals_passed": 2, "referrals_won": 0, "referral_value_won": "0.00",
    "first_collaboration": 2,
}  # fmt: skip

MONTHS = [
    "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
    "2026-08", "2026-09", "2026-10", "2026-11",
]  # fmt: skip
# Members at each month's end: Alice and Laura, Bob from August, Carla from October; in
# November Ivo joins as Laura leaves. VenetoIN loses Velia in November.
FLORENCE_SERIES = [2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4]
VENETO_SERIES = [3] * 11 + [2]

# Every name and address of a person in the history, none of which a dashboard may show.
PEOPLE = {
    "carla": ("carla.conti@example.com", "Carla", "Conti"),
    "ivo": ("ivo.innocenti@example.com", "Ivo", "Innocenti"),
    "rita": ("rita.rossini@example.com", "Rita", "Rossini"),
    "paola": ("paola.pellegrini@example.com", "Paola", "Pellegrini"),
    "pietro": ("pietro.pasolini@example.com", "Pietro", "Pasolini"),
    "laura": ("laura.lanfranchi@example.com", "Laura", "Lanfranchi"),
    "vittoria": ("vittoria.veneziani@example.com", "Vittoria", "Veneziani"),
    "velia": ("velia.vespucci@example.com", "Velia", "Vespucci"),
}
WALK_IN = ("Walter Passante", "walter.passante@example.com")
DASH = "\u2013"  # what the tables print for "no value"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# -- the history ------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _apply(network, user, submitted, *, status=App.PENDING, decided=None):
    made = application(network, user)
    with scope(network=network):
        MembershipApplication.objects.filter(pk=made.pk).update(
            submitted_at=submitted, privacy_acknowledged_at=submitted, status=status,
            decided_at=decided,
        )  # fmt: skip
    made.refresh_from_db()
    return made


def _invite(network, inviter, email, created, application=None, *, status="sent"):
    message = OutboxEmail.objects.create(
        idempotency_key=f"invitation:{secrets.token_hex(8)}", template="invitation", to=email,
        from_email="clubin@example.com", subject="-", status=status,
        sent_at=created if status == "sent" else None, network_id=network.pk,
    )  # fmt: skip
    with scope(network=network):
        return Invitation.objects.create(
            network=network, inviter=inviter, email=email, token_hash=secrets.token_hex(32),
            created_at=created, expires_at=created + timedelta(days=30), application=application,
            email_message=message,
        )  # fmt: skip


def _build_history(personas) -> SimpleNamespace:
    florence, veneto = personas.florence, personas.veneto
    liguria = Network.objects.create(
        slug="liguria", name="LiguriaIN", region="Liguria", city="Genova", status="forming"
    )
    people = {
        key: make_user(email, first_name=first, last_name=last)
        for key, (email, first, last) in PEOPLE.items()
    }
    with scopes_disabled():
        Membership.objects.filter(user=personas.alice).update(joined_on=date(2024, 1, 15))
        Membership.objects.filter(user=personas.bob).update(joined_on=date(2026, 8, 1))
        Membership.objects.filter(user=personas.charlie).update(joined_on=date(2024, 2, 1))
    lapsed = Membership.Status.LAPSED
    member(florence, people["carla"], 3, joined_on=date(2026, 10, 27))
    member(florence, people["ivo"], 4, joined_on=date(2026, 11, 11))
    member(florence, people["laura"], 5, joined_on=date(2025, 5, 1), status=lapsed,
           valid_until=date(2026, 11, 10))  # fmt: skip
    member(veneto, people["vittoria"], 2, joined_on=date(2025, 9, 1))
    member(veneto, people["velia"], 3, joined_on=date(2025, 1, 1), status=lapsed,
           valid_until=date(2026, 11, 1))  # fmt: skip

    _apply(florence, people["carla"], rome(2026, 10, 24, 9), status=App.APPROVED,
           decided=rome(2026, 10, 27, 9))  # fmt: skip
    invited = _apply(florence, people["ivo"], rome(2026, 11, 1, 0, 30), status=App.APPROVED,
                     decided=rome(2026, 11, 11, 9))  # fmt: skip
    _apply(florence, people["rita"], rome(2026, 10, 20, 0, 30), status=App.REJECTED,
           decided=rome(2026, 11, 9, 12))  # fmt: skip
    _apply(florence, people["paola"], rome(2026, 11, 4, 9))
    _apply(florence, people["pietro"], rome(2026, 11, 15, 9))

    alice = personas.alice
    _invite(florence, alice, PEOPLE["ivo"][0], rome(2026, 10, 23, 10), invited)
    _invite(florence, alice, "someone@example.com", rome(2026, 10, 25, 23, 30))
    _invite(florence, alice, "another@example.com", rome(2026, 11, 15, 10))
    # Never left: refused by the server, or still queued. Not "sent" in any figure.
    _invite(florence, alice, "bounced@example.com", rome(2026, 11, 15, 11), status="failed")
    _invite(florence, alice, "waiting@example.com", rome(2026, 11, 15, 12), status="queued")

    with _at(rome(2026, 10, 10, 12)):
        first = make_event(florence, by=alice, starts_at=rome(2026, 10, 25, 23, 30))
        second = make_event(florence, by=alice, starts_at=rome(2026, 11, 6, 0, 30))
        make_event(florence, by=alice, publish=False, starts_at=rome(2026, 11, 10, 19))
        with scope(network=florence):
            places = {
                name: registration_register(event=first, user=user)[0]
                for name, user in [("alice", alice), ("bob", personas.bob),
                                   ("laura", people["laura"]), ("vittoria", people["vittoria"])]
            }  # fmt: skip
            carla = registration_register(event=second, user=people["carla"])[0]
    with _at(rome(2026, 10, 25, 23, 40)), scope(network=florence):
        for name in ("bob", "laura", "vittoria"):
            checkin_registration(event=first, registration_id=places[name].pk, by=alice)
        walk_in_add(event=first, name=WALK_IN[0], email=WALK_IN[1], company="", by=alice)
    with _at(rome(2026, 11, 6, 0, 40)), scope(network=florence):
        checkin_registration(event=second, registration_id=carla.pk, by=alice)

    _build_ties(personas, people, first)
    stats_rebuild()
    return SimpleNamespace(
        personas=personas,
        florence=florence,
        veneto=veneto,
        liguria=liguria,
        people=people,
        first=first,
        second=second,
    )


def _build_ties(personas, people, first_event) -> None:
    """The business between members of the module's docstring, written as rows."""
    florence, veneto = personas.florence, personas.veneto
    alice, bob, charlie = personas.alice, personas.bob, personas.charlie
    carla, ivo, vittoria = people["carla"], people["ivo"], people["vittoria"]

    def connect(a, b, origin, at, **more):
        low, high = sorted((a.pk, b.pk))
        Connection.objects.create(
            user_low_id=low, user_high_id=high, origin=origin, created_at=at, **more
        )

    with scopes_disabled():
        connect(bob, vittoria, Origin.EVENT, rome(2026, 10, 26, 9), event=first_event,
                network=florence)  # fmt: skip
        connect(alice, carla, Origin.INTRODUCTION, rome(2026, 11, 12, 10), network=florence)
        connect(alice, bob, Origin.ONE_TO_ONE, rome(2026, 9, 1, 10), network=florence)
        asks = [
            Post.objects.create(
                network=florence,
                author=author,
                title=title,
                created_at=at,
                expires_on=date(2026, 12, 31),
                kind=kind,
            )
            for author, title, at, kind in [
                (carla, "P1", rome(2026, 11, 2, 9), Post.Kind.ASK),
                (bob, "P2", rome(2026, 11, 10, 10), Post.Kind.ASK),
                (alice, "P3", rome(2026, 11, 1, 10), Post.Kind.OFFER),
            ]
        ]
        Answer.objects.create(post=asks[0], author=bob, created_at=rome(2026, 11, 5, 9))
        Answer.objects.create(post=asks[1], author=carla, created_at=rome(2026, 11, 18, 10))
        accepted = Introduction.Reply.ACCEPTED
        Introduction.objects.create(
            network=florence, introducer=bob, first=alice, second=carla,
            first_reply=accepted, second_reply=accepted, created_at=rome(2026, 11, 8, 10),
            accepted_at=rome(2026, 11, 12, 10),
        )  # fmt: skip
        Introduction.objects.create(
            network=florence, introducer=alice, first=bob, second=ivo,
            created_at=rome(2026, 11, 19, 10),
        )  # fmt: skip
        OneToOne.objects.create(
            network=florence, recorded_by=bob, other=carla, met_on=date(2026, 10, 30),
            created_at=rome(2026, 10, 30, 18), confirmed_at=rome(2026, 11, 1, 10),
        )  # fmt: skip
        OneToOne.objects.create(
            network=florence, recorded_by=alice, other=ivo, met_on=date(2026, 11, 18),
            created_at=rome(2026, 11, 18, 18),
        )  # fmt: skip
        Status = Referral.Status
        for network, giver, receiver, at, status, closed, value in [
            (florence, carla, bob, rome(2026, 11, 3, 10), Status.WON, date(2026, 11, 14),
             Decimal("12500.50")),
            (florence, bob, alice, rome(2026, 11, 16, 10), Status.PASSED, None, None),
            (veneto, vittoria, charlie, rome(2026, 10, 21, 10), Status.LOST, date(2026, 10, 28),
             None),
        ]:  # fmt: skip
            Referral.objects.create(
                network=network, giver=giver, receiver=receiver, what="-", for_whom="X",
                created_at=at, status=status, closed_on=closed, won_value=value,
            )  # fmt: skip


@pytest.fixture
def history(clock, personas):
    return _build_history(personas)


def _figures(row) -> dict:
    return {**row.as_export(), "members_30_days_before": row.members_30_days_before}


def _get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def _board(client, history, **params):
    return _get(client, history.personas.fiona, FEDERATION, **params).context["board"]


def _chart(response) -> dict:
    found = re.search(
        r'<script id="stats-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "no chart data on the page"
    return json.loads(found.group(1))


def _table_cells(html: str, section: str) -> list[list[str]]:
    """The cells of the stats table's tbody or tfoot, one list per row, header cell first."""
    table = re.search(r'<table class="stats-table">(.*?)</table>', html, re.S)
    assert table
    part = re.search(rf"<{section}>(.*?)</{section}>", table.group(1), re.S)
    assert part
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", part.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return rows


# -- 1. figures computed by hand --------------------------------------------------------------


def test_it_shows_hand_computed_figures_for_the_last_30_days(client, history):
    board = _board(client, history, period="30d")
    assert (board.period.key, board.period.start, board.period.end) == (
        "30d", date(2026, 10, 22), date(2026, 11, 20)
    )  # fmt: skip
    rows = {row.slug: _figures(row) for row in board.rows}
    assert list(rows) == ["florence", "liguria", "veneto"]  # by name
    assert rows["florence"] == FLORENCE_30D
    assert rows["veneto"] == VENETO_30D
    assert rows["liguria"] == LIGURIA_30D
    assert _figures(board.totals) == TOTALS_30D
    assert _figures(board.federation) == TOTALS_30D
    assert [(a.kind, a.network, a.value) for a in board.alerts] == [
        ("waiting", "FlorenceIN", 1),
        ("no_event", "LiguriaIN", 60),
        ("no_event", "VenetoIN", 60),
        ("membership_fell", "VenetoIN", 1),
    ]
    assert board.regions == ["Liguria", "Toscana", "Veneto"]


def test_it_shows_hand_computed_figures_for_a_range_over_month_end_and_dst(client, history):
    board = _board(client, history, **CUSTOM)
    assert (board.period.key, board.period.start, board.period.end) == (
        "custom", date(2026, 10, 20), date(2026, 11, 5)
    )  # fmt: skip
    rows = {row.slug: _figures(row) for row in board.rows}
    assert rows["florence"] == FLORENCE_CUSTOM
    assert rows["veneto"] == VENETO_CUSTOM
    assert rows["liguria"] == LIGURIA_CUSTOM
    assert _figures(board.totals) == TOTALS_CUSTOM
    assert [(a.kind, a.network, a.value) for a in board.alerts] == [
        ("waiting", "FlorenceIN", 1),
        ("no_event", "LiguriaIN", 60),
        ("no_event", "VenetoIN", 60),
        ("membership_fell", "VenetoIN", 1),
    ]


def test_it_counts_by_calendar_day_in_rome(history):
    """Late-evening and after-midnight moments land on Rome's day, on both sides of the DST end."""

    def day(network, when):
        with scopes_disabled():
            return NetworkDay.objects.get(network=network, day=when)

    florence = history.florence
    dst_end = day(florence, date(2026, 10, 25))  # 23:30 CET is 22:30 UTC
    assert (dst_end.events_held, dst_end.registrations, dst_end.attended, dst_end.walk_ins) == (
        1, 4, 3, 1
    )  # fmt: skip
    assert (dst_end.invitations_sent, dst_end.first_event) == (1, 2)
    assert day(history.veneto, date(2026, 10, 25)).attended_elsewhere == 1
    after_midnight = day(florence, date(2026, 11, 6))  # 00:30 CET is still 11-05 in UTC
    assert (after_midnight.events_held, after_midnight.attended) == (1, 1)
    assert day(florence, date(2026, 11, 1)).applications == 1  # A2, 00:30 local
    assert day(florence, date(2026, 10, 20)).applications == 1  # A3, 00:30 CEST
    with scopes_disabled():
        assert not NetworkDay.objects.filter(day__in=[date(2026, 10, 19), date(2026, 10, 31)])
        assert not NetworkDay.objects.filter(network=florence, day=date(2026, 11, 5)).exists()
        waits = sorted(DecisionDays.objects.values_list("day", "days", "count"))
    assert waits == [
        (date(2026, 10, 27), 3, 1), (date(2026, 11, 9), 20, 1), (date(2026, 11, 11), 10, 1)
    ]  # fmt: skip


def _ties_cells(html: str, section: str) -> list[list[str]]:
    table = re.search(r'<table class="stats-table" id="ties-table">(.*?)</table>', html, re.S)
    assert table, "no table of business between members"
    return _table_cells(f'<table class="stats-table">{table.group(1)}</table>', section)


def test_it_shows_the_business_between_members_as_worked_out_by_hand(client, history):
    body = _get(client, history.personas.fiona, FEDERATION, period="30d").content.decode()
    rows = {cells[0]: cells[1:] for cells in _ties_cells(body, "tbody")}
    # per member, within 30 and 90 days, across, asks, answered, introductions made and
    # accepted, one-to-ones, referrals passed and won, value, per event, first collaborations
    assert rows["FlorenceIN"] == [
        "1,2", DASH, "100%", "33%", "2", "50%", "2", "1", "1", "2", "1", "12.501 €", "0,5", "3",
    ]  # fmt: skip
    assert rows["VenetoIN"][:4] == ["0,5", DASH, DASH, "100%"]
    assert rows["LiguriaIN"][0] == DASH
    [totals] = _ties_cells(body, "tfoot")
    assert totals[1:4] == ["1,0", DASH, "100%"]

    mine = _get(client, history.personas.charlie, "/veneto/manage/stats/", period="30d")
    text = re.sub(r"\s+", " ", mine.content.decode())
    assert re.search(r'<p id="unconnected"> 1 [^<]*30', text), "Charlie, without a connection"


def test_it_renders_an_empty_network_with_zeros_and_dashes(client, history):
    response = _get(client, history.personas.fiona, FEDERATION, period="30d")
    body = response.content.decode()
    rows = {cells[0].split(" ")[0]: cells[1:] for cells in _table_cells(body, "tbody")}
    assert rows["LiguriaIN"] == [
        "Liguria", "0", "0", "0", "0", DASH, DASH, DASH, "0", "0", DASH, DASH, "0", "0", DASH,
        DASH, "0",
    ]  # fmt: skip
    assert rows["FlorenceIN"] == [
        "Toscana", "4", "2", "2", "4", "67%", "10", "20", "1", "3", "33%", "33%", "2", "5",
        "80%", "50%", "0",
    ]  # fmt: skip
    assert rows["VenetoIN"][:2] == ["Veneto", "2"]
    [totals] = _table_cells(body, "tfoot")
    assert totals[1:] == [
        "", "6", "2", "2", "4", "67%", "10", "20", "1", "3", "33%", "33%", "2", "5", "80%",
        "50%", "1",
    ]  # fmt: skip
    alerts = re.search(r'class="stats-alerts">(.*?)</section>', body, re.S)
    assert alerts and alerts.group(1).count("<li>") == 4


def test_it_raises_no_event_alert_only_after_60_days(client, history):
    # FlorenceIN's last event started on 2026-11-06: 60 days before 2027-01-05, 61 before 01-06.
    florence = history.florence
    with _at(rome(2027, 1, 6, 9)):
        stats_rebuild()
        edge = _board(client, history, period="custom", start="2026-10-22", end="2027-01-05")
        late = _board(client, history, period="custom", start="2026-10-22", end="2027-01-06")
    kinds = {(a.kind, a.network) for a in edge.alerts}
    assert ("no_event", florence.name) not in kinds  # 2027-01-05 - 2026-11-06 = 60 days
    assert ("no_event", florence.name) in {(a.kind, a.network) for a in late.alerts}


def test_it_filters_by_region_and_sorts(client, history):
    veneto = _board(client, history, period="30d", region="Veneto")
    assert [row.slug for row in veneto.rows] == ["veneto"]
    assert _figures(veneto.totals) == {**VENETO_30D, **TOTALS_ID}
    assert _figures(veneto.federation) == TOTALS_30D
    assert [(a.kind, a.network) for a in veneto.alerts] == [
        ("no_event", "VenetoIN"), ("membership_fell", "VenetoIN")
    ]  # fmt: skip
    assert list(veneto.charts["members"]) == ["VenetoIN"]
    assert veneto.charts["funnel"]["values"] == [0, 0, 0, 1, 0, 0]

    nowhere = _get(client, history.personas.fiona, FEDERATION, region="Atlantide")
    assert nowhere.context["board"].rows == []
    [[message]] = _table_cells(nowhere.content.decode(), "tbody")  # one cell, all across
    assert message and not message[0].isdigit()

    by_members = _board(client, history, period="30d", sort="-members_active")
    assert [row.slug for row in by_members.rows] == ["florence", "veneto", "liguria"]
    ascending = _board(client, history, period="30d", sort="members_active")
    assert [row.slug for row in ascending.rows] == ["liguria", "veneto", "florence"]
    # Rates nobody can compute go last, whichever the direction.
    rate = _board(client, history, period="30d", sort="-approval_rate")
    assert [row.slug for row in rate.rows] == ["florence", "liguria", "veneto"]
    unknown = _board(client, history, period="30d", sort="-email")
    assert [row.slug for row in unknown.rows] == ["florence", "liguria", "veneto"]


def test_it_refuses_a_range_in_the_future_and_falls_back_to_30_days(client, history):
    response = _get(
        client, history.personas.fiona, FEDERATION,
        period="custom", start="2026-11-01", end="2026-11-30",
    )  # fmt: skip
    assert response.context["form"].errors
    assert response.context["board"].period.key == "30d"


# -- 2. exports -------------------------------------------------------------------------------


def _parse_csv(content: bytes) -> tuple[list[str], list[str], list[dict]]:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    first, header, *rows = lines
    parsed = []
    for cells in rows:
        row: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            if name in TEXT_FIELDS:
                row[name] = cell or (None if name == "last_event_day" else "")
            elif cell == "":
                row[name] = None
            elif name == "pending_ages":
                row[name] = json.loads(cell)
            elif name in FLOAT_FIELDS:
                row[name] = float(cell)
            else:
                row[name] = int(cell)
        parsed.append(row)
    return first, header, parsed


@pytest.mark.parametrize(
    "params",
    [
        {"period": "30d", "sort": "-members_active"},
        CUSTOM,
        {"period": "90d", "region": "Toscana"},
        {"period": "12m", "sort": "approval_rate"},
    ],
    ids=["30d-sorted", "custom", "90d-region", "12m"],
)
def test_it_exports_exactly_the_figures_shown(client, history, params):
    fiona = history.personas.fiona
    board = _get(client, fiona, FEDERATION, **params).context["board"]
    shown = [row.as_export() for row in board.rows]
    totals = board.totals.as_export()

    exported = json.loads(_get(client, fiona, JSON_URL, **params).content)
    assert exported["as_of"] == board.as_of.isoformat()
    assert datetime.fromisoformat(exported["as_of"]) == NOW
    assert exported["period"] == {
        "key": board.period.key,
        "start": board.period.start.isoformat(),
        "end": board.period.end.isoformat(),
    }
    assert exported["networks"] == shown
    assert exported["totals"] == totals
    assert set(exported) == {"as_of", "generated_at", "period", "networks", "totals"}

    response = _get(client, fiona, CSV_URL, **params)
    assert response["Content-Type"].startswith("text/csv")
    first, header, rows = _parse_csv(response.content)
    assert first == [
        "# as_of", board.as_of.isoformat(), "period",
        board.period.start.isoformat(), board.period.end.isoformat(),
    ]  # fmt: skip
    assert header == DOCUMENTED_FIELDS
    assert rows == [*shown, totals]
    assert rows[-1]["slug"] == ""


def test_it_exports_the_hand_computed_numbers(client, history):
    fiona = history.personas.fiona
    exported = json.loads(_get(client, fiona, JSON_URL, **CUSTOM).content)
    private = "members_30_days_before"
    by_slug = {row["slug"]: row for row in exported["networks"]}
    assert by_slug["florence"] == {k: v for k, v in FLORENCE_CUSTOM.items() if k != private}
    assert exported["totals"] == {k: v for k, v in TOTALS_CUSTOM.items() if k != private}
    assert exported["period"] == {"key": "custom", "start": "2026-10-20", "end": "2026-11-05"}
    _first, _header, rows = _parse_csv(_get(client, fiona, CSV_URL, **CUSTOM).content)
    assert rows == [*exported["networks"], exported["totals"]]


# -- 3. access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FEDERATION, CSV_URL, JSON_URL])
def test_it_shows_the_federation_figures_to_staff_only(client, history, url):
    people = history.personas
    expected = {"fiona": 200, "alice": 404, "bob": 404, "charlie": 404, "dave": 404}
    for name, status in expected.items():
        client.force_login(getattr(people, name))
        assert client.get(url).status_code == status, name
        client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_it_shows_a_networks_figures_to_its_coordinators_only(client, history):
    people = history.personas
    expected = {"alice": 200, "bob": 403, "charlie": 404, "dave": 404, "fiona": 404}
    for name, status in expected.items():
        client.force_login(getattr(people, name))
        assert client.get(FLORENCE_STATS).status_code == status, name
        client.logout()
    anonymous = client.get(FLORENCE_STATS)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert reverse("manage_stats", kwargs={"network_slug": "florence"}) == FLORENCE_STATS
    client.force_login(people.charlie)
    assert client.get("/veneto/manage/stats/").status_code == 200
    client.force_login(people.alice)
    assert client.get("/veneto/manage/stats/").status_code == 404
    # A coordinator whose membership has lapsed sees no figures.
    with scopes_disabled():
        Membership.objects.filter(user=people.alice).update(status=Membership.Status.LAPSED)
    assert client.get(FLORENCE_STATS).status_code == 403


# -- 4. aggregates only -----------------------------------------------------------------------


def _forbidden_words(history) -> list[str]:
    words = ["Alice", "Arnolfi", "Bob", "Bellini", "Charlie", "Cortese", "Dave", "Donati",
             "Fabbri", *WALK_IN[0].split()]  # fmt: skip
    for _email, first, last in PEOPLE.values():
        words += [first, last]
    return words


def test_it_shows_no_person_anywhere(client, history):
    fiona, alice = history.personas.fiona, history.personas.alice
    pages = {
        "federation": _get(client, fiona, FEDERATION, period="12m"),
        "federation custom": _get(client, fiona, FEDERATION, **CUSTOM),
        "csv": _get(client, fiona, CSV_URL, period="12m"),
        "json": _get(client, fiona, JSON_URL, period="12m"),
        "florence": _get(client, alice, FLORENCE_STATS, period="12m"),
    }
    words = _forbidden_words(history)
    for label, response in pages.items():
        body = response.content.decode()
        assert not EMAIL.findall(body), (label, EMAIL.findall(body))
        found = [w for w in words if re.search(rf"\b{re.escape(w)}\b", body)]
        assert not found, (label, found)
    # The scan would see them: the same words are on a page that does show people.
    roster = _get(client, alice, "/florence/manage/members/").content.decode()
    assert "Bellini" in roster and EMAIL.search(roster)


def test_it_shows_a_coordinator_their_network_and_the_federation_only(client, history):
    response = _get(client, history.personas.alice, FLORENCE_STATS, period="30d")
    board = response.context["board"]
    assert [row.slug for row in board.rows] == ["florence"]
    assert _figures(response.context["row"]) == FLORENCE_30D
    assert _figures(board.totals) == {**FLORENCE_30D, **TOTALS_ID}
    assert _figures(board.federation) == TOTALS_30D
    assert [(a.kind, a.network) for a in board.alerts] == [("waiting", "FlorenceIN")]

    body = response.content.decode()
    rows = _table_cells(body, "tbody")
    assert len(rows) == 1 and rows[0][0].startswith("FlorenceIN")
    assert rows[0][1:3] == ["Toscana", "4"]
    [totals] = _table_cells(body, "tfoot")
    assert totals[2:4] == ["6", "2"]  # the whole federation's members and aspiring
    chart = _chart(response)
    assert chart["members"] == {"FlorenceIN": FLORENCE_SERIES}
    for other in ("VenetoIN", "LiguriaIN", "Veneto", "Liguria", "veneto", "liguria"):
        assert other not in body, other
        assert other not in json.dumps(chart), other
    ages = re.findall(r"<td>(\d+)</td>", body.split("<h2>", 1)[1].split("</table>", 1)[0])
    assert ages == ["1", "0", "1", "0"]


# -- 5. charts --------------------------------------------------------------------------------


def test_it_embeds_the_chart_series(client, history):
    response = _get(client, history.personas.fiona, FEDERATION, period="30d")
    board, chart = response.context["board"], _chart(response)
    assert chart["months"] == MONTHS
    assert chart["members"] == {
        "FlorenceIN": FLORENCE_SERIES, "LiguriaIN": [0] * 12, "VenetoIN": VENETO_SERIES
    }  # fmt: skip
    for row in board.rows:
        assert chart["members"][row.name][-1] == row.members_active
    # A2 was submitted at 00:30 on November 1st: November, in Rome.
    assert chart["applications"] == [0] * 10 + [2, 3]
    assert chart["approved"] == [0] * 10 + [1, 1]
    assert chart["rejected"] == [0] * 11 + [1]
    totals = board.totals
    assert chart["funnel"]["steps"] == [
        "invitations_sent", "applications", "approved", "first_event", "active_after_90",
        "first_collaboration",
    ]  # fmt: skip
    assert chart["funnel"]["values"] == [
        totals.invitations_sent, totals.applications, totals.approved, totals.first_event,
        totals.active_after_90, totals.first_collaboration,
    ]  # fmt: skip
    assert chart["funnel"]["values"] == [3, 4, 2, 4, 1, 3]
    assert len(chart["labels"]["funnel"]) == 6


def test_it_ends_the_series_at_the_end_of_a_custom_range(client, history):
    response = _get(client, history.personas.fiona, FEDERATION, **CUSTOM)
    board, chart = response.context["board"], _chart(response)
    assert chart["months"] == MONTHS
    for row in board.rows:
        assert chart["members"][row.name][-1] == row.members_active
    assert chart["members"]["FlorenceIN"] == [2] * 8 + [3, 3, 4, 4]
    assert chart["applications"][-2:] == [2, 2]  # November up to the 5th: A2 and A4
    assert chart["funnel"]["values"] == [2, 4, 1, 3, 1, 2]

    mine = _get(client, history.personas.alice, FLORENCE_STATS, **CUSTOM)
    assert _chart(mine)["funnel"]["values"] == [2, 4, 1, 2, 1, 2]  # FlorenceIN's own


# -- 6. queries -------------------------------------------------------------------------------


def _bulk_members(network: Network, size: int) -> None:
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{n}.{network.slug}@example.com", first_name=f"Bulk{n}")
            for n in range(size)
        ],
        batch_size=50,
    )
    with scopes_disabled():
        Membership.objects.bulk_create(
            [
                Membership(
                    network=network, user=user, card_number=100 + n,
                    joined_on=date(2026, 11, 20) - timedelta(days=n % 400),
                    status=Membership.Status.ACTIVE,
                )
                for n, user in enumerate(users)
            ],
            batch_size=50,
        )  # fmt: skip


def _count(client, user, url, django_assert_max_num_queries) -> int:
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm: sessions, translations
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 5) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("size", [10, 1000])
def test_it_keeps_dashboard_queries_flat(client, clock, personas, size,
                                         django_assert_max_num_queries):  # fmt: skip
    pages = [(personas.fiona, FEDERATION), (personas.alice, FLORENCE_STATS)]
    stats_rebuild()
    baseline = [_count(client, u, url, django_assert_max_num_queries) for u, url in pages]
    for network in (personas.florence, personas.veneto):
        _bulk_members(network, size)
    stats_rebuild()
    counts = [_count(client, u, url, django_assert_max_num_queries) for u, url in pages]
    for (_user, url), count in zip(pages, counts, strict=True):
        print(f"{url} with {size} members per network: {count} queries")
    assert counts == baseline
    board = _get(client, personas.fiona, FEDERATION).context["board"]
    assert {r.slug: r.members_active for r in board.rows} == {
        "florence": size + 2, "veneto": size + 1
    }  # fmt: skip


# -- 7. refreshing ----------------------------------------------------------------------------


def test_it_refreshes_recent_days_from_beat_and_rebuilds_on_command(client, history):
    before = _figures(_board(client, history, period="30d").rows[0])
    assert before == FLORENCE_30D
    newcomer = make_user("nuova.arrivata@example.com", first_name="Nuova", last_name="Arrivata")
    application(history.florence, newcomer)  # submitted now

    stale = _figures(_board(client, history, period="30d").rows[0])
    assert stale == before  # the page reads the rollups, not the applications

    tasks.stats_refresh_recent.delay()
    refreshed = _board(client, history, period="30d")
    changed = {"applications": 5, "aspiring": 3, "pending_ages": [2, 0, 1, 0]}
    assert _figures(refreshed.rows[0]) == {**FLORENCE_30D, **changed}
    assert refreshed.totals.applications == 5
    latest = Refresh.objects.order_by("-pk").first()
    assert latest is not None
    assert latest.kind == "recent" and latest.covers_until == NOW
    # The older days are still there: the range ending on 11-05 only sees the new queue.
    custom = {row.slug: _figures(row) for row in _board(client, history, **CUSTOM).rows}
    assert custom["florence"] == {**FLORENCE_CUSTOM, "pending_ages": [2, 0, 1, 0]}

    with scopes_disabled():
        NetworkDay.objects.all().delete()
        DecisionDays.objects.all().delete()
        NetworkSnapshot.objects.all().delete()
    out = io.StringIO()
    call_command("stats_rebuild", stdout=out)
    assert re.match(r"Rebuilt \d+ network-day rows\.", out.getvalue())
    assert Refresh.objects.values_list("kind", flat=True).order_by("-pk").first() == "rebuild"
    rebuilt = _board(client, history, period="30d")
    assert _figures(rebuilt.rows[0]) == {**FLORENCE_30D, **changed}
    assert {row.slug: _figures(row) for row in _board(client, history, **CUSTOM).rows} == custom


# -- known defects (strict: they fail loudly once fixed) --------------------------------------


def _visits_elsewhere(personas):
    """Ugo belongs to both networks; Zeno's FlorenceIN card lapsed in 2025, VenetoIN's is valid."""
    florence, veneto = personas.florence, personas.veneto
    ugo, zeno = make_user("ugo@example.com"), make_user("zeno@example.com")
    member(florence, ugo, 10, joined_on=date(2024, 1, 1))
    member(veneto, ugo, 10, joined_on=date(2024, 1, 1))
    member(florence, zeno, 11, joined_on=date(2024, 1, 1), status=Membership.Status.LAPSED,
           valid_until=date(2025, 1, 1))  # fmt: skip
    member(veneto, zeno, 11, joined_on=date(2024, 1, 1))
    with _at(rome(2026, 11, 1, 10)):
        at_florence = make_event(florence, by=personas.alice, starts_at=rome(2026, 11, 10, 19))
        at_veneto = make_event(veneto, by=personas.charlie, starts_at=rome(2026, 11, 11, 19))
        with scope(network=florence):
            ugo_place = registration_register(event=at_florence, user=ugo)[0]
        with scope(network=veneto):
            zeno_place = registration_register(event=at_veneto, user=zeno)[0]
    with _at(rome(2026, 11, 10, 19, 10)), scope(network=florence):
        checkin_registration(event=at_florence, registration_id=ugo_place.pk, by=personas.alice)
    with _at(rome(2026, 11, 11, 19, 10)), scope(network=veneto):
        checkin_registration(event=at_veneto, registration_id=zeno_place.pk, by=personas.charlie)
    stats_rebuild()
    with scopes_disabled():
        found = {
            (row.network.slug, row.day.isoformat()): row.attended_elsewhere
            for row in NetworkDay.objects.filter(day__gte=date(2026, 11, 10))
        }
    days = ("2026-11-10", "2026-11-11")
    return {
        (slug, day): found.get((slug, day), 0) for day in days for slug in ("florence", "veneto")
    }


def test_it_counts_a_visit_elsewhere_once_for_the_active_home_network(clock, personas):
    elsewhere = _visits_elsewhere(personas)
    # Ugo at FlorenceIN's event: one visit, for VenetoIN. Zeno at VenetoIN's: no visit at all.
    assert elsewhere == {
        ("florence", "2026-11-10"): 0, ("veneto", "2026-11-10"): 1,
        ("florence", "2026-11-11"): 0, ("veneto", "2026-11-11"): 0,
    }  # fmt: skip


def _lapse_bob(personas):
    with scopes_disabled():
        Membership.objects.update(joined_on=date(2024, 1, 1))
        Membership.objects.filter(user=personas.bob).update(valid_until=date(2026, 10, 15))


def _florence_day_by_day(personas, first: date, last: date):
    """Each day as production runs it: the nightly lapse job, the rebuild, the 30-day board."""
    day = first
    while day <= last:
        with _at(rome(day.year, day.month, day.day, 4)):
            memberships_lapse(today=day)
            stats_rebuild()
            board = dashboard(period=period_for("30d"))
        yield day, next(r for r in board.rows if r.slug == "florence"), board.alerts
        day += timedelta(days=1)


def test_it_counts_a_lapsed_member_out_once_the_card_has_lapsed(clock, personas):
    """The ground the alert test below stands on: Bob is in before, out after, lapsed."""
    _lapse_bob(personas)
    seen = {
        day: (row.members_active, row.new_members)
        for day, row, _alerts in _florence_day_by_day(
            personas, date(2026, 10, 14), date(2026, 10, 14)
        )
    }
    seen |= {
        day: (row.members_active, row.new_members)
        for day, row, _alerts in _florence_day_by_day(
            personas, date(2026, 11, 16), date(2026, 11, 16)
        )
    }
    # Bob's card expired on 10-15; after 30 days of grace the nightly job (11-15) lapses it.
    assert seen == {date(2026, 10, 14): (2, 0), date(2026, 11, 16): (1, 0)}
    with scopes_disabled():
        assert Membership.objects.get(user=personas.bob).status == Membership.Status.LAPSED


def test_it_warns_that_membership_fell_when_a_card_lapses(clock, personas):
    _lapse_bob(personas)
    fell = [
        day
        for day, _row, alerts in _florence_day_by_day(
            personas, date(2026, 10, 16), date(2026, 11, 20)
        )
        if any(a.kind == "membership_fell" and a.network == "FlorenceIN" for a in alerts)
    ]
    assert fell, "FlorenceIN went from 2 members to 1 and no day said so"


def test_it_refuses_a_range_before_2000_with_a_message(client, personas):
    client.force_login(personas.fiona)
    query = {"period": "custom", "start": "0001-01-01", "end": "0001-01-20"}
    for url in ("/federation/", "/federation/stats.json", "/federation/stats.csv"):
        assert client.get(url, query).status_code == 200
    page = client.get("/federation/", query)
    assert "start" in page.context["form"].errors
    client.force_login(personas.alice)
    assert client.get("/florence/manage/stats/", query).status_code == 200


def test_it_counts_attendance_only_once_the_event_has_started(clock, personas):
    """Check-ins recorded weeks ahead (as the door once allowed) are not attendance yet: the
    evening counts, with its check-ins, from its start and on its day."""
    florence = personas.florence  # Bob is its member; Charlie, of VenetoIN, visits
    with _at(rome(2026, 11, 1, 10)):
        evening = make_event(florence, by=personas.alice, starts_at=rome(2026, 11, 25, 19))
        with scope(network=florence):
            places = [
                registration_register(event=evening, user=person)[0]
                for person in (personas.bob, personas.charlie)
            ]
            Registration.objects.filter(pk__in=[p.pk for p in places]).update(
                checked_in_at=rome(2026, 11, 2, 10)
            )
    stats_rebuild()  # 2026-11-20: the evening is five days ahead
    with scopes_disabled():
        assert not NetworkDay.objects.filter(
            Q(attended__gt=0) | Q(attended_elsewhere__gt=0) | Q(first_event__gt=0)
            | Q(events_held__gt=0) | Q(registrations__gt=0)
        ).exists()  # fmt: skip
        assert set(NetworkSnapshot.objects.values_list("attended_last_90", flat=True)) == {0}

    with _at(rome(2026, 11, 25, 19, 30)):
        stats_rebuild()
        with scopes_disabled():
            day = NetworkDay.objects.get(network=florence, day=date(2026, 11, 25))
            visit = NetworkDay.objects.get(network=personas.veneto, day=date(2026, 11, 25))
            seen = dict(NetworkSnapshot.objects.values_list("network__slug", "attended_last_90"))
    assert (day.events_held, day.registrations, day.attended, day.first_event) == (1, 2, 2, 1)
    assert (visit.attended_elsewhere, visit.first_event) == (1, 1)
    assert seen == {"florence": 1, "veneto": 1}


@pytest.mark.django_db
def test_it_writes_the_spans_the_rules_set(client, personas, monkeypatch):
    monkeypatch.setattr(stats_views, "AGE_BUCKETS", (5, 10, 20))
    monkeypatch.setattr(stats_views, "WAITING_LONG_DAYS", 21)
    monkeypatch.setattr(stats_views, "ATTENDED_DAYS", 45)
    client.force_login(personas.alice)
    body = client.get(FLORENCE_STATS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("up to 5 days", "6 to 10 days", "11 to 20 days", "over 20 days"):
        assert label in body
    assert "Waiting &gt; 21 days" in body and "Members at an event in 45 days" in body
    assert "no event in the last 60 days" in body  # no event yet: the alert names its span
