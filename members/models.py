import secrets
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from outbox.selectors import outbox_has_failed


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra |= {"is_staff": True, "is_superuser": True}
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; there is no username.

    ``is_staff`` marks federation staff: they use the admin and the federation pages.
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("federation staff"),
        default=False,
        help_text=_("Federation staff see every network and may use the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language this person's email is written in: set at signup from the page they used,
    # changed whenever they switch language while signed in. Blank: never chosen (older accounts).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Sector(models.TextChoices):
    CONSULTING = "consulting", _("Consulting")
    ICT = "ict", _("ICT and software")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FASHION = "fashion", _("Fashion and textiles")
    FOOD = "food", _("Food and wine")
    TOURISM = "tourism", _("Tourism and hospitality")
    REAL_ESTATE = "real_estate", _("Construction and real estate")
    FINANCE = "finance", _("Finance and insurance")
    LEGAL = "legal", _("Legal services")
    ACCOUNTING = "accounting", _("Accounting and tax")
    MARKETING = "marketing", _("Marketing and communication")
    DESIGN = "design", _("Design and architecture")
    HEALTH = "health", _("Health and wellbeing")
    LOGISTICS = "logistics", _("Logistics and transport")
    ENERGY = "energy", _("Energy and environment")
    TRAINING = "training", _("Training and HR")


def validate_linkedin_url(value: str) -> None:
    """Only LinkedIn's own pages: the directory shows this as a "LinkedIn profile" link."""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:  # such as an unclosed "[" of an IPv6 host
        host = ""
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not (
        host == "linkedin.com" or host.endswith(".linkedin.com")
    ):
        raise ValidationError(
            _("Enter the address of a LinkedIn page, such as https://www.linkedin.com/in/…"),
            code="not_linkedin",
        )


def photo_upload_to(instance: "Profile", filename: str) -> str:
    """A new random name for every upload: nobody can guess it, and no name is ever reused (a
    browser's cached copy of a replaced photo is never the new one's)."""
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    return f"photos/{secrets.token_urlsafe(24)}{suffix}"


class Profile(models.Model):
    """What a person tells the networks about their work; one per person, shared by networks."""

    class Visibility(models.TextChoices):
        NETWORKS = "networks", _("the networks I belong to")
        FEDERATION = "federation", _("the whole federation")
        HIDDEN = "hidden", _("nobody (hidden from directories)")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    company = models.CharField(_("company"), max_length=120, blank=True)
    job_title = models.CharField(_("role"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    linkedin_url = models.URLField(
        _("LinkedIn profile"), blank=True, validators=[validate_linkedin_url]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    offers = models.TextField(_("what I can offer"), blank=True, max_length=2000)
    needs = models.TextField(_("what I am looking for"), blank=True, max_length=2000)
    visibility = models.CharField(
        _("who sees my profile"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.NETWORKS,
    )
    show_email = models.BooleanField(_("show my email"), default=False)
    show_phone = models.BooleanField(_("show my phone"), default=False)
    show_linkedin = models.BooleanField(_("show my LinkedIn profile"), default=True)
    # Consent to event announcements, with when it was given: no consent, no announcement.
    event_news = models.BooleanField(_("email me about new events"), default=False)
    event_news_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Re-encoded by members.forms.photos (a square JPEG without metadata) and written only by
    # members.services.photos; read by whoever may see the profile, through a view.
    photo = models.ImageField(
        _("photo"), upload_to=photo_upload_to, max_length=200, blank=True, editable=False
    )
    # One lower-cased text for the directory search (a trigram index on PostgreSQL).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.company})"

    def build_search_text(self) -> str:
        """Names, work and the sector in every language, so a search in either one finds it."""
        sector = ""
        if self.sector:
            labels = set()
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    labels.add(str(self.get_sector_display()))
            sector = " ".join(sorted(labels))
        parts = [
            self.user.first_name, self.user.last_name, self.company, self.job_title, sector,
            self.city, self.offers, self.needs,
        ]  # fmt: skip
        return " ".join(p for p in parts if p).lower()


class ApplicationQuestion(models.Model):
    """A question a network asks its applicants, defined by its coordinators."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        CHOICE = "choice", _("single choice")
        YES_NO = "yes_no", _("yes or no")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SHORT_TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line."))
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects: models.Manager["ApplicationQuestion"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


# How a stored yes/no answer reads; the apply form offers the same two words.
YES_NO_LABELS = {"yes": _("Yes"), "no": _("No")}


class MembershipApplication(models.Model):
    """An aspiring member's request to join a network, and the coordinators' decision on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        # Two kinds of waiting, never mixed: a coordinator's "not now" (they decide later,
        # nothing admits it by itself), and an approval that waits for a free place under the
        # membership cap (a freed place admits it, oldest approval first).
        WAITLISTED = "waitlisted", _("waitlisted (on hold)")
        APPROVED_WAITING = "approved_waiting", _("approved, waiting for a place")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN = (Status.PENDING, Status.WAITLISTED, Status.APPROVED_WAITING)

    network = models.ForeignKey("networks.Network", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    motivation = models.TextField(_("why do you want to join?"), max_length=3000)
    answers = models.JSONField(default=dict, blank=True)
    sponsor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_applications",
    )
    privacy_version = models.CharField(max_length=20)
    privacy_acknowledged_at = models.DateTimeField()
    submitted_at = models.DateTimeField(default=timezone.now)
    # When it started waiting (put on hold, or approved while full): the order places go in.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True, max_length=2000)

    objects: models.Manager["MembershipApplication"] = ScopedManager(network="network")

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=models.Q(status__in=["pending", "waitlisted", "approved_waiting"]),
                name="application_one_open_per_network",
            ),
        ]
        indexes = [
            # The review queue: a network's open applications, oldest first.
            models.Index(
                fields=["network", "submitted_at", "id"],
                name="application_open_queue_idx",
                condition=models.Q(status__in=["pending", "waitlisted", "approved_waiting"]),
            ),
            models.Index(fields=["user", "status"], name="application_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.network_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def answer_items(self) -> list[tuple[str, str]]:
        """(question, answer) as a reviewer reads them, a yes/no in the reader's language.

        Answers keep the kind of question they answered (older ones did not: a bare "yes" or
        "no" came from a yes/no question, the only kind that stores those values).
        """
        items = []
        for answer in (self.answers or {}).values():
            value = answer.get("value")
            kind = answer.get("kind")
            if value in YES_NO_LABELS and kind in (None, ApplicationQuestion.Kind.YES_NO):
                value = str(YES_NO_LABELS[value])
            items.append((str(answer.get("label", "")), "" if value is None else str(value)))
        return items

    @classmethod
    def decisions_for(cls, status: str) -> tuple[str, ...]:
        """What a coordinator may still decide on an application in ``status``: the review
        page's buttons, one row's or many at once, are exactly these.

        An approval already waiting for a place is not approved twice (a freed place admits
        it), and an application on hold is not put on hold again.
        """
        decisions: dict[str, tuple[str, ...]] = {
            cls.Status.PENDING: ("approved", "waitlisted", "rejected"),
            cls.Status.WAITLISTED: ("approved", "rejected"),
            cls.Status.APPROVED_WAITING: ("rejected",),
        }
        return decisions.get(status, ())

    @property
    def can_approve(self) -> bool:
        return "approved" in self.decisions_for(self.status)

    @property
    def can_waitlist(self) -> bool:
        return "waitlisted" in self.decisions_for(self.status)

    @property
    def can_reject(self) -> bool:
        return "rejected" in self.decisions_for(self.status)


class Endorsement(models.Model):
    """A member vouching for a pending applicant they know."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        MembershipApplication, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorser = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: models.Manager["Endorsement"] = ScopedManager(network="network")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "endorser"], name="endorsement_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endorser_id} endorses {self.application_id}"


class DecisionLogEntry(models.Model):
    """Who did what, when, with which note: decisions, renewals and exports of a network."""

    # A decision that gives no card, and a withdrawal, can be taken back this long.
    UNDO_WINDOW = timedelta(seconds=60)

    class Action(models.TextChoices):
        APPROVED = "approved", _("approved")
        WAITLISTED = "waitlisted", _("waitlisted (on hold)")
        APPROVED_WAITING = "approved_waiting", _("approved, waiting for a place")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        RENEWED = "renewed", _("renewal paid")
        LAPSED = "lapsed", _("lapsed")
        EXPORTED = "exported", _("members exported")
        UNDONE = "undone", _("decision undone")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    application = models.ForeignKey(
        MembershipApplication, on_delete=models.CASCADE, null=True, related_name="log"
    )
    membership_id = models.BigIntegerField(null=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # One decision on several applications shares a key: what its "Undo" names.
    decision_key = models.CharField(max_length=32, blank=True, db_index=True)
    # The application's fields before a decision that can be undone; None for one that cannot.
    previous = models.JSONField(null=True, blank=True)

    objects: models.Manager["DecisionLogEntry"] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision log entry")
        verbose_name_plural = _("decision log")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"

    @staticmethod
    def is_decision_key(value: str) -> bool:
        """A key as decisions write them (uuid4 hex); anything else names no decision."""
        return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


class InvitationBatch(models.Model):
    """One CSV upload: previewed with its per-row report, then confirmed and sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("to confirm")
        CONFIRMED = "confirmed", _("confirmed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    filename = models.CharField(max_length=200, blank=True)
    # The rows that passed every check, waiting for the coordinator's confirmation.
    rows = models.JSONField(default=list, blank=True)
    # [line, email, problem] for every refused row; a file refused as a whole says why here.
    problems = models.JSONField(default=list, blank=True)
    file_error = models.CharField(max_length=20, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["InvitationBatch"] = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.status})"


class Invitation(models.Model):
    """A personal invitation to apply to a network, sent to one address, usable once."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        OPENED = "opened", _("opened the link")
        APPLIED = "applied", _("applied")
        MEMBER = "member", _("became a member")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")
        OPTED_OUT = "opted_out", _("opted out")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        InvitationBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    inviter = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    by_coordinator = models.BooleanField(default=False)
    # Email, name and message are blanked when the address opts out; the hash stays, so the
    # counts stay right and the address is never invited again (see the outbox's opt-outs).
    email = models.EmailField(blank=True)
    email_hash = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=150, blank=True)
    message = models.TextField(blank=True, max_length=1000)
    # Only hashes of the tokens: the link itself exists only in the email.
    token_hash = models.CharField(max_length=64, unique=True)
    reminder_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    email_message = models.ForeignKey(
        "mail.OutboxEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_message = models.ForeignKey(
        "mail.OutboxEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        MembershipApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["Invitation"] = ScopedManager(network="network")

    class Meta:
        indexes = [
            models.Index(fields=["network", "email", "created_at"], name="invitation_recent_idx"),
            models.Index(fields=["network", "inviter", "created_at"], name="invitation_quota_idx"),
            models.Index(fields=["batch", "id"], name="invitation_batch_idx"),
            # An opt-out finds the invitations of its address, in every network.
            models.Index(fields=["email_hash"], name="invitation_email_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.network_id}"

    # The rules the services enforce and the pages show, in one place each.
    @property
    def is_usable(self) -> bool:
        """The link still works: not used, revoked or expired, and its addressee did not refuse."""
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.opted_out_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def can_revoke(self) -> bool:
        return self.is_usable

    @property
    def can_resend(self) -> bool:
        """Only an invitation whose email failed for good, while its link still works."""
        return self.is_usable and outbox_has_failed(email=self.email_message)
