from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from networks.inputs import EmailField
from networks.models import Network


class NetworkForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["name", "slug", "region", "city", "launched_on", "status", "description"]
        widgets = {"launched_on": forms.DateInput(attrs={"type": "date"})}

    def clean_slug(self) -> str:
        # Lower-cased before the uniqueness check, as the service stores it: "Roma" must meet
        # an existing "roma" here, with a form error, not in the service.
        return self.cleaned_data["slug"].lower()


class CoordinatorAppointForm(forms.Form):
    email = EmailField(
        label=_("Email of the person to appoint"),
        help_text=_("They must already have an account."),
    )

    def clean_email(self) -> AbstractBaseUser:
        email = self.cleaned_data["email"].lower()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account uses this email address."))
        self.cleaned_data["user"] = user
        return email


class PublicPageForm(forms.ModelForm):
    """What the coordinators say on the network's public page."""

    class Meta:
        model = Network
        fields = ["membership_benefits"]
        widgets = {"membership_benefits": forms.Textarea(attrs={"rows": 5})}


class CoordinatorContactForm(forms.Form):
    """A visitor writes to the network's coordinators, who answer by replying to the email."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = EmailField(
        label=_("Your email"), help_text=_("The coordinators reply to this address.")
    )
    message = forms.CharField(
        label=_("Message"),
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # A field people never see: bots fill every input, and then nothing is sent.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_name(self) -> str:
        # The name goes into a subject line: no line breaks, no padding.
        return " ".join(self.cleaned_data["name"].split())

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
