from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
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


class Profile(models.Model):
    """What a person tells the networks about their work; one per person, shared by networks."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    company = models.CharField(_("company"), max_length=120, blank=True)
    job_title = models.CharField(_("role"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    linkedin_url = models.URLField(_("LinkedIn profile"), blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.company})"
