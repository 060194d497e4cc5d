"""Forms about profiles: a person editing their own, a member searching a network's directory."""

import re
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.forms.photos import PhotoField
from members.models import Profile, Sector, User, validate_linkedin_url
from outbox.services import optout_exists

PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")
PHOTO_FIELDS = ("photo", "remove_photo")


class LinkedInURLField(forms.URLField):
    """A LinkedIn page's address, as the profile and the application form both take it."""

    default_validators = [*forms.URLField.default_validators, validate_linkedin_url]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", Profile._meta.get_field("linkedin_url").max_length)
        kwargs.setdefault(
            "widget", forms.URLInput(attrs={"placeholder": "https://www.linkedin.com/in/…"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        url = super().to_python(value) or ""
        # Stored and linked over https whichever way it was typed; before the validators, so
        # the length they check is the length stored.
        if url[:7].lower() == "http://":
            return "https" + url[len("http") :]
        return url


class ProfileForm(forms.ModelForm):
    """Names live on the user, the rest on the profile; the service writes both.

    Every field is listed: email, staff flags, networks and the search text are not the
    form's, so posting them changes nothing.
    """

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    linkedin_url = LinkedInURLField(
        label=capfirst(Profile._meta.get_field("linkedin_url").verbose_name), required=False
    )
    # Not the model's field: the upload is re-encoded here and stored by its own service.
    photo = PhotoField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 5 MB. It is cropped to a square; its hidden data (such as "
            "where it was taken) is not kept. Shown to whoever may see your profile."
        ),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

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
        if not self.instance.photo:
            del self.fields["remove_photo"]  # nothing to remove: the page does not offer it
        if self.instance.event_news and optout_exists(email=user.email):
            # A one-click opt-out from an email wins over the old tick: show what is true.
            self.initial["event_news"] = False

    def profile_changes(self) -> dict[str, Any]:
        """The cleaned fields ``profile_update`` takes: all but the photo's."""
        return {k: v for k, v in self.cleaned_data.items() if k not in PHOTO_FIELDS}

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
