from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from networks.inputs import validate_typed_date

# First path segments the site itself uses: a network there would hide a page, or be hidden.
RESERVED_SLUGS = frozenset(
    {
        "accounts", "admin", "api", "card", "dev", "federation", "healthz", "i18n", "invite", "me",
        "media", "static", "www", "about", "privacy", "help", "login", "logout", "signup",
        "robots.txt", "favicon.ico", "unsubscribe", "people", "events",
    }
)  # fmt: skip


def validate_network_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved by the site; choose another address."),
            code="reserved",
            params={"slug": value},
        )


class Network(models.Model):
    """A regional business network: the tenant every network-owned row points to."""

    class Status(models.TextChoices):
        FORMING = "forming", pgettext_lazy("network status", "forming")
        ACTIVE = "active", pgettext_lazy("network status", "active")

    slug = models.SlugField(
        _("address"),
        max_length=40,
        unique=True,
        validators=[validate_network_slug],
        help_text=_("Lower-case letters, digits and hyphens, e.g. “florence” for /florence/."),
    )
    name = models.CharField(_("name"), max_length=80)
    region = models.CharField(_("region"), max_length=80)
    city = models.CharField(_("city"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    launched_on = models.DateField(
        _("launch date"), null=True, blank=True, validators=[validate_typed_date]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FORMING
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Intake rules, set by federation staff and coordinators.
    intake_open = models.BooleanField(
        _("accepting applications"), default=True, help_text=_("Close to pause new applications.")
    )
    membership_cap = models.PositiveIntegerField(
        _("membership cap"),
        null=True,
        blank=True,
        help_text=_(
            "When the network is full, approved applicants wait for a place and are admitted "
            "in the order of approval."
        ),
    )
    one_per_sector = models.BooleanField(
        _("one member per sector"),
        default=False,
        help_text=_("Warn reviewers when an applicant's sector already has a member."),
    )
    card_prefix = models.CharField(
        _("card prefix"), max_length=6, blank=True, help_text=_("For example FI for FI-000141.")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="it",
        help_text=_("The language of the emails the network sends to people without an account."),
    )
    member_invite_quota = models.PositiveSmallIntegerField(
        _("invitations per member per month"), default=10
    )
    invitation_reminder_days = models.PositiveSmallIntegerField(
        _("remind unused invitations after (days)"),
        default=7,
        help_text=_("0 sends no reminder. Never more than one reminder."),
    )
    # The public page's pitch, in the coordinators' words; empty shows a general text.
    membership_benefits = models.TextField(
        _("what membership gives"),
        blank=True,
        default="",
        db_default="",  # for rows written by code that predates the column (older migrations)
        max_length=2000,
        help_text=_(
            "Shown on the network's public page. Leave empty for a general text about "
            "evenings, introductions and the card."
        ),
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def card_code(self) -> str:
        return (self.card_prefix or self.slug[:2]).upper()

    def card_label_for(self, number: int) -> str:
        """Card ``number`` as printed on this network's cards, such as FI-000141."""
        return f"{self.card_code}-{number:06d}"


class Membership(models.Model):
    """A person's tie to one network: their role and, once card-holding, their card number."""

    # A card is due for renewal this many days before it runs out (the reminder goes then too).
    RENEWAL_NOTICE_DAYS = 30

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        COORDINATOR = "coordinator", _("coordinator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        LAPSED = "lapsed", _("lapsed")
        ENDED = "ended", _("ended")

    class Alerts(models.TextChoices):
        IMMEDIATE = "immediate", _("one email per application")
        DAILY = "daily", _("a daily digest")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    card_number = models.PositiveIntegerField(_("card number"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    joined_on = models.DateField(
        _("joined on"), default=timezone.localdate, validators=[validate_typed_date]
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, validators=[validate_typed_date]
    )
    # For coordinators: how they hear about new applications.
    application_alerts = models.CharField(
        _("new application alerts"), max_length=10, choices=Alerts.choices, default=Alerts.IMMEDIATE
    )

    # django-scopes builds the manager class at run time; to the type checker it is a Manager.
    objects: models.Manager["Membership"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="membership_one_per_network"),
            models.UniqueConstraint(
                fields=["network", "card_number"], name="membership_card_unique_per_network"
            ),
        ]
        indexes = [models.Index(fields=["user", "network"], name="membership_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.network} ({self.role})"

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR and self.status == self.Status.ACTIVE

    @property
    def card_label(self) -> str:
        """The number printed on the card, such as FI-000141."""
        if self.card_number is None:
            return ""
        return self.network.card_label_for(self.card_number)

    @classmethod
    def renewal_due_q(cls, day: date) -> models.Q:
        """The rule of ``renewal_due_on`` as a filter: one rule for lists and the service."""
        expiring = models.Q(
            status=cls.Status.ACTIVE,
            valid_until__lte=day + timedelta(days=cls.RENEWAL_NOTICE_DAYS),
        )
        return expiring | models.Q(status=cls.Status.LAPSED)

    def renewal_due_on(self, day: date) -> bool:
        """Whether "renewal paid" applies on ``day``: a card that runs out within the notice
        days, one past its date (in grace), or a lapsed one. A card with no end date is not
        due, and neither are suspended or ended memberships (a coordinator's decision)."""
        if self.status == self.Status.LAPSED:
            return True
        return (
            self.status == self.Status.ACTIVE
            and self.valid_until is not None
            and self.valid_until <= day + timedelta(days=self.RENEWAL_NOTICE_DAYS)
        )

    def in_grace_on(self, day: date) -> bool:
        """Past its date but not lapsed yet: the grace days before the lapse job runs."""
        return (
            self.status == self.Status.ACTIVE
            and self.valid_until is not None
            and self.valid_until < day
        )

    def is_valid_on(self, day: date) -> bool:
        return self.status == self.Status.ACTIVE and (
            self.valid_until is None or self.valid_until >= day
        )
