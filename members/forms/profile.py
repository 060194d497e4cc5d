"""Forms about profiles: a person editing their own, a member searching a network's directory."""

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clubin.mail.services import optout_exists
from members.models import Profile, Sector, User

PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")


class ProfileForm(forms.ModelForm):
    """Names live on the user, the rest on the profile; the service writes both.

    Every field is listed: email, staff flags, networks and the search text are not the
    form's, so posting them changes nothing.
    """

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    linkedin_url = forms.URLField(
        label=capfirst(Profile._meta.get_field("linkedin_url").verbose_name),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/in/…"}),
    )

    class Meta:
        model = Profile
        fields = [
            "company", "job_title", "sector", "city", "linkedin_url", "phone", "bio", "offers",
            "needs", "visibility", "show_email", "show_phone", "show_linkedin", "event_news",
        ]  # fmt: skip
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "bio": forms.Textarea(attrs={"rows": 3}),
            "offers": forms.Textarea(attrs={"rows": 3}),
            "needs": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"first_name": user.first_name, "last_name": user.last_name})
        super().__init__(*args, **kwargs)
        if self.instance.event_news and optout_exists(email=user.email):
            # A one-click opt-out from an email wins over the old tick: show what is true.
            self.initial["event_news"] = False

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data["linkedin_url"]
        if not url:
            return ""
        # The directory turns this into a link: only LinkedIn's own pages, never any other site.
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not (
            host == "linkedin.com" or host.endswith(".linkedin.com")
        ):
            raise forms.ValidationError(
                _("Enter the address of a LinkedIn page, such as https://www.linkedin.com/in/…")
            )
        return parts._replace(scheme="https").geturl()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter digits, spaces and an optional leading +."))
        return phone


class DirectorySearchForm(forms.Form):
    """The directory's search box and filters; a value that does not validate is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any sector")), *Sector.choices]
    )
    city = forms.CharField(label=_("City"), required=False, max_length=80)

    def filters(self) -> dict[str, str]:
        """The valid filters, each "" when missing or invalid."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "").strip() for name in ("q", "sector", "city")}
