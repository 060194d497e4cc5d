"""Rollups: what happened in each network on each day, and a snapshot of the present.

Dashboards never scan members, applications or registrations: they sum these rows. Days are
calendar days in Europe/Rome. Every figure is a count of things that happened on that day
(a flow); stocks such as "active members on a day" are running sums of flows.
"""

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from networks.models import Network

FLOWS = (
    "members_joined",  # memberships whose joined_on is the day
    "members_left",  # memberships no longer active: the day after valid_until
    "applications",  # submitted
    "approved",
    "rejected",
    "withdrawn",
    "invitations_sent",
    "invitations_applied",  # invitations whose application was submitted that day
    "invitations_joined",  # invitations whose application was approved that day
    # Events count once they have started, on their start day, and so does their attendance.
    "events_held",  # published events the network organised, by start day
    "registrations",  # confirmed places at those events
    "attended",  # confirmed places checked in
    "walk_ins",
    "attended_elsewhere",  # the network's members checked in at other networks' events
    "first_event",  # members whose first attended event (anywhere) started that day
    "active_after_90",  # memberships 90 days old that day and still active then
    # Business between members (ties). A connection counts once for each of its two people who
    # is an active member of the network, on the day it was made.
    "connections",
    "connections_cross",  # of those, the other person is not an active member of the network
    "event_connections",  # connections begun at the network's events, by the event's start day
    "reached_30",  # memberships 30 days old that day
    "connected_30",  # of those, the person had a connection by then
    "reached_90",
    "connected_90",
    "asks_posted",  # asks (not offers) posted on the network's board
    "asks_answered_7",  # of those, by the day posted: answered within 7 days
    "introductions_made",
    "introductions_accepted",  # by the day the second side accepted
    "one_to_ones",  # confirmed, by the day of confirmation
    "referrals_passed",
    "referrals_won",  # by the day closed
    "first_collaboration",  # members whose first won referral, accepted introduction or
    # confirmed one-to-one (anywhere) happened that day
)
# Sums of money rather than counts: the value of business closed through won referrals, in euro.
AMOUNTS = ("referral_value_won",)


class NetworkDay(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    members_joined = models.PositiveIntegerField(default=0)
    members_left = models.PositiveIntegerField(default=0)
    applications = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    invitations_sent = models.PositiveIntegerField(default=0)
    invitations_applied = models.PositiveIntegerField(default=0)
    invitations_joined = models.PositiveIntegerField(default=0)
    events_held = models.PositiveIntegerField(default=0)
    registrations = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0)
    attended_elsewhere = models.PositiveIntegerField(default=0)
    first_event = models.PositiveIntegerField(default=0)
    active_after_90 = models.PositiveIntegerField(default=0)
    connections = models.PositiveIntegerField(default=0)
    connections_cross = models.PositiveIntegerField(default=0)
    event_connections = models.PositiveIntegerField(default=0)
    reached_30 = models.PositiveIntegerField(default=0)
    connected_30 = models.PositiveIntegerField(default=0)
    reached_90 = models.PositiveIntegerField(default=0)
    connected_90 = models.PositiveIntegerField(default=0)
    asks_posted = models.PositiveIntegerField(default=0)
    asks_answered_7 = models.PositiveIntegerField(default=0)
    introductions_made = models.PositiveIntegerField(default=0)
    introductions_accepted = models.PositiveIntegerField(default=0)
    one_to_ones = models.PositiveIntegerField(default=0)
    referrals_passed = models.PositiveIntegerField(default=0)
    referrals_won = models.PositiveIntegerField(default=0)
    first_collaboration = models.PositiveIntegerField(default=0)
    referral_value_won = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    objects: models.Manager["NetworkDay"] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "day"], name="networkday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.network_id} {self.day}"


class DecisionDays(models.Model):
    """How many decisions, made on ``day``, took ``days`` days: medians come from these."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    days = models.PositiveIntegerField()
    count = models.PositiveIntegerField()

    objects: models.Manager["DecisionDays"] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "day", "days"], name="decisiondays_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.network_id} {self.day}: {self.count} took {self.days} days"


class NetworkSnapshot(models.Model):
    """The present, which day rows cannot hold: the waiting queue and recent attendance."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)
    pending = models.PositiveIntegerField(default=0)
    waiting_over_14 = models.PositiveIntegerField(default=0)
    # Pending applications by age: up to 7 days, 8-14, 15-30, over 30.
    pending_ages = models.JSONField(default=list)
    attended_last_90 = models.PositiveIntegerField(default=0)  # distinct active members
    # Active members who joined 30 days ago or more and have no connection at all yet.
    unconnected_30 = models.PositiveIntegerField(default=0)

    objects: models.Manager["NetworkSnapshot"] = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"{self.network_id} at {self.taken_at}"


class Refresh(models.Model):
    """When the figures were last computed, and up to which moment they count."""

    kind = models.CharField(max_length=10)  # "recent" every 5 minutes, "rebuild" in full
    finished_at = models.DateTimeField(default=timezone.now)
    covers_until = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.kind} {self.finished_at}"
