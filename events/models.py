"""Events and registrations.

An event belongs to the network that organises it and is shown by every host (the organiser
and any co-host networks), so it is scoped through ``hosts``: inside FlorenceIN's scope the
events are those FlorenceIN organises or co-hosts. ``confirmed_count`` is the number of
confirmed registrations, kept under a row lock and backed by a check constraint, so capacity
holds under any concurrency.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from networks.inputs import validate_typed_date
from networks.models import Network


class Event(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("everyone (public)")
        NETWORK = "network", _("members of the organising networks")
        FEDERATION = "federation", _("members of any network of the federation")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "draft")
        PUBLISHED = "published", pgettext_lazy("event status", "published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="events", verbose_name=_("organiser")
    )
    # The organiser and its co-hosts: each shows the event on its own calendar.
    hosts = models.ManyToManyField(Network, related_name="hosted_events")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    venue = models.CharField(_("venue"), max_length=150)
    address = models.CharField(_("address"), max_length=250, blank=True)
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_typed_date])
    ends_at = models.DateTimeField(_("ends at"), validators=[validate_typed_date])
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"),
        null=True,
        blank=True,
        help_text=_("Empty: when published."),
        validators=[validate_typed_date],
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Empty: when it starts."),
        validators=[validate_typed_date],
    )
    visibility = models.CharField(
        _("who may see it and register"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.NETWORK,
    )
    guests_allowed = models.BooleanField(
        _("people without an account may register"),
        default=True,
        help_text=_(
            "Public events only; people without an account confirm their place through an "
            "emailed link."
        ),
    )
    guests_per_member = models.PositiveSmallIntegerField(
        _("guests each member may bring"), default=0
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminders_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    followup_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: models.Manager["Event"] = ScopedManager(network="hosts")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(confirmed_count__lte=F("capacity")),
                name="event_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    # What a coordinator or a person may do with the event now. Each rule is here once: the
    # pages show a button only when its property is true, and the service refuses otherwise.

    @property
    def has_started(self) -> bool:
        """From its start the evening is a record: attendance counts, places no longer move."""
        return self.starts_at <= timezone.now()

    @property
    def can_edit(self) -> bool:
        """A draft is nobody's yet; a published event until it starts; a cancelled one never."""
        return self.status == self.Status.DRAFT or self.places_can_change

    @property
    def can_publish(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_cancel(self) -> bool:
        """Once started it happened: cancelling would tell people at the venue it did not."""
        return self.status == self.Status.DRAFT or self.places_can_change

    @property
    def places_can_change(self) -> bool:
        """Places are given back (and handed to the waitlist) until the event starts."""
        return self.status == self.Status.PUBLISHED and not self.has_started

    @property
    def can_announce(self) -> bool:
        """Once, for a published event still ahead (who asked for news is counted apart)."""
        return self.places_can_change and self.announced_at is None

    @property
    def can_follow_up(self) -> bool:
        """Inviting the guests who came: once the event is over, and once."""
        return (
            self.status == self.Status.PUBLISHED and self.is_past and self.followup_sent_at is None
        )

    @property
    def checkin_opens_at(self) -> datetime:
        return self.starts_at - timedelta(hours=settings.CHECKIN_OPENS_HOURS_BEFORE)

    @property
    def checkin_is_open(self) -> bool:
        """The door opens a few hours before the start and closes when the event ends, for
        published events only: a concluded evening's attendance is a record, not a queue."""
        now = timezone.now()
        return self.status == self.Status.PUBLISHED and self.checkin_opens_at <= now < self.ends_at

    @property
    def checkin_will_open(self) -> bool:
        """Published and still ahead of the door's opening: the page says when it opens."""
        return self.status == self.Status.PUBLISHED and timezone.now() < self.checkin_opens_at

    @property
    def is_concluded(self) -> bool:
        """It took place and is over: its page reports attendance instead of offering places."""
        return self.status == self.Status.PUBLISHED and self.is_past

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return False
        opens = self.registration_opens_at
        closes = self.registration_closes_at or self.starts_at
        return (opens is None or opens <= now) and now < closes


ACTIVE_STATUSES = ("pending", "confirmed", "waitlisted")
# Who is expected in the room, and so gets a name badge: a place, or a walk-in at the door.
BADGE_STATUSES = ("confirmed", "walk_in")


class Registration(models.Model):
    """One place (or a claim on one): a member, a guest, a member's guest, or a walk-in."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for email confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")
        WALK_IN = "walk_in", _("walk-in")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    # A member's guest rides on the member's registration and is cancelled with it.
    brought_by = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="guests"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    company = models.CharField(_("company"), max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    ticket_code = models.CharField(max_length=24, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The person agreed to appear in "who is coming" on the event page (off unless they say so).
    listed = models.BooleanField(_("show me among who is coming"), default=False)

    objects: models.Manager["Registration"] = ScopedManager(network="event__hosts")

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=ACTIVE_STATUSES, user__isnull=False),
                name="registration_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=ACTIVE_STATUSES, user__isnull=True, brought_by__isnull=True)
                & ~Q(email=""),
                name="registration_one_per_guest_email",
            ),
        ]
        indexes = [
            # The waitlist in order, the door list, the counts: all per event and status.
            models.Index(fields=["event", "status", "created_at"], name="registration_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.event_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_badge(self) -> bool:
        return self.status in BADGE_STATUSES

    @property
    def can_cancel(self) -> bool:
        """An active place at a published event that has not started yet."""
        return self.is_active and self.event.places_can_change
