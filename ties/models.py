"""The rows of business between members.

Rows that belong to one network (a post, an introduction made inside it) carry a direct
``network`` foreign key and a scoped manager. A connection belongs to two people, not to a
network, so it is not scoped; it remembers where it began.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from members.models import Sector

USER = settings.AUTH_USER_MODEL


class Origin(models.TextChoices):
    EVENT = "event", _("met at an event")
    INTRODUCTION = "introduction", _("introduction")
    ASK = "ask", _("an answered ask")
    ONE_TO_ONE = "one_to_one", _("one-to-one meeting")
    REFERRAL = "referral", _("referral")


class Connection(models.Model):
    """Two people who know each other through ClubIN, stored once per pair (lower id first).

    Either side may remove it: the row is deleted and nobody is told.
    """

    user_low = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    user_high = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(_("how it began"), max_length=16, choices=Origin.choices)
    event = models.ForeignKey(
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where it began, for the network's figures; None when it began across the federation.
    network = models.ForeignKey(
        "networks.Network", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        constraints = [
            models.CheckConstraint(
                condition=Q(user_low__lt=F("user_high")), name="ties_connection_ordered_pair"
            ),
            models.UniqueConstraint(
                fields=["user_low", "user_high"], name="ties_connection_once_per_pair"
            ),
        ]
        indexes = [models.Index(fields=["user_high"], name="ties_connection_high")]

    def __str__(self) -> str:
        return f"{self.user_low_id} and {self.user_high_id} ({self.origin})"


class Post(models.Model):
    """An ask ("who can help me with…") or an offer, on a network's board or the federation's."""

    class Kind(models.TextChoices):
        ASK = "ask", _("Ask")
        OFFER = "offer", _("Offer")

    class Reach(models.TextChoices):
        NETWORK = "network", _("My network")
        FEDERATION = "federation", _("The whole federation")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="ties_posts")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ASK)
    reach = models.CharField(
        _("who sees it"), max_length=12, choices=Reach.choices, default=Reach.NETWORK
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("details"), max_length=3000, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    expires_on = models.DateField(_("open until"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    helpful_answer = models.ForeignKey(
        "Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["Post"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("ask or offer")
        verbose_name_plural = _("asks and offers")
        indexes = [
            # The board: a network's open posts, newest first; and the federation-wide ones.
            models.Index(
                fields=["network", "-created_at", "-id"],
                condition=Q(status="open"),
                name="ties_post_board",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status="open", reach="federation"),
                name="ties_post_federation_board",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_on >= timezone.localdate()


class Answer(models.Model):
    """ "I can help" or "I can introduce you to someone", once per person and post."""

    class Kind(models.TextChoices):
        HELP = "help", _("I can help")
        INTRODUCE = "introduce", _("I can introduce you to someone")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices, default=Kind.HELP)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the post's author saw it: unread answers make the badge on /me/.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="ties_answer_once_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class Introduction(models.Model):
    """A member introduces two people they are connected to; each side accepts or declines."""

    class Reply(models.TextChoices):
        PENDING = "pending", _("waiting")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("not now")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    introducer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), max_length=2000, blank=True)
    first_reply = models.CharField(max_length=10, choices=Reply.choices, default=Reply.PENDING)
    second_reply = models.CharField(max_length=10, choices=Reply.choices, default=Reply.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["Introduction"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(first=F("second")), name="ties_introduction_two_people"
            ),
            models.UniqueConstraint(
                fields=["introducer", "first", "second"], name="ties_introduction_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.introducer_id} introduces {self.first_id} to {self.second_id}"


class OneToOne(models.Model):
    """A one-to-one meeting one member records and the other confirms."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    met_on = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["OneToOne"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("one-to-one meeting")
        verbose_name_plural = _("one-to-one meetings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(recorded_by=F("other")), name="ties_one_to_one_two_people"
            ),
            models.UniqueConstraint(
                fields=["recorded_by", "other", "met_on"], name="ties_one_to_one_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recorded_by_id} met {self.other_id} on {self.met_on}"


class EventMeet(models.Model):
    """ "I met them at this event": a mark returned makes a connection tied to the event."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    from_user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    to_user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting at an event")
        verbose_name_plural = _("meetings at events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="ties_event_meet_two_people"
            ),
            models.UniqueConstraint(
                fields=["event", "from_user", "to_user"], name="ties_event_meet_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} met {self.to_user_id} at {self.event_id}"


# Bounds of a referral's values in euro: a typo of six zeros is refused, not summed.
REFERRAL_MAX_VALUE = Decimal("99999999.99")
REFERRAL_VALUE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(REFERRAL_MAX_VALUE)]


class Referral(models.Model):
    """Business one member passes to another, followed to its outcome.

    For whom: a member of the network (``contact``) or someone outside ClubIN (``for_whom``, a
    name or a company). The receiver moves it forward only: passed → contacted → meeting → won
    or lost.
    """

    class Status(models.TextChoices):
        PASSED = "passed", _("passed on")
        CONTACTED = "contacted", _("contacted")
        MEETING = "meeting", _("meeting")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    receiver = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(_("what"), max_length=200)
    contact = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    for_whom = models.CharField(_("for whom"), max_length=200, blank=True)
    estimated_value = models.DecimalField(
        _("estimated value (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=REFERRAL_VALUE_VALIDATORS,
    )
    won_value = models.DecimalField(
        _("value of closed business (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=REFERRAL_VALUE_VALIDATORS,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PASSED)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    closed_on = models.DateField(null=True, blank=True)

    objects: models.Manager["Referral"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=F("receiver")), name="ties_referral_two_people"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="ties_referral_estimate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(won_value__isnull=True) | Q(status="won", won_value__gte=0),
                name="ties_referral_value_only_when_won",
            ),
        ]
        indexes = [
            # /me/referrals/: what I gave and what I received, newest first.
            models.Index(fields=["giver", "-created_at"], name="ties_referral_given"),
            models.Index(fields=["receiver", "-created_at"], name="ties_referral_received"),
        ]

    def __str__(self) -> str:
        return self.what


class SuggestionDismissal(models.Model):
    """ "Not interested": this person is never suggested to me again."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    dismissed = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dismissed suggestion")
        verbose_name_plural = _("dismissed suggestions")
        constraints = [
            models.UniqueConstraint(fields=["user", "dismissed"], name="ties_dismissal_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} dismissed {self.dismissed_id}"


class EventListing(models.Model):
    """ "List me among those who came": opt-in, per event, for the "we met" page."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("listed among those who came")
        verbose_name_plural = _("listed among those who came")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="ties_event_listing_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} listed at {self.event_id}"
