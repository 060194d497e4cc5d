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
