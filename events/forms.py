from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import Event
from events.services.events import EDITABLE, EventDetails
from networks.inputs import EmailField, ModelMultipleIdField
from networks.models import Network


class LocalDateTimeInput(forms.DateTimeInput):
    """A browser date-time picker; the value is read in Europe/Rome, DST included."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    cohosts = ModelMultipleIdField(
        label=_("Co-host networks"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A joint event appears on the calendar of every host."),
    )

    class Meta:
        model = Event
        fields = EDITABLE
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "registration_opens_at": LocalDateTimeInput(),
            "registration_closes_at": LocalDateTimeInput(),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        others = Network.objects.exclude(pk=network.pk)
        self.fields["cohosts"].queryset = others  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["cohosts"] = [
                host.pk for host in self.instance.hosts.all() if host.pk != network.pk
            ]

    def details(self) -> EventDetails:
        """The cleaned event fields, as the services take them."""
        return EventDetails(**{name: self.cleaned_data[name] for name in EDITABLE})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        capacity = data.get("capacity")
        confirmed = self.instance.confirmed_count
        if capacity is not None and capacity < confirmed:
            self.add_error("capacity", capacity_error(confirmed))
        if ends and closes and closes > ends:
            self.add_error("registration_closes_at", _("Registration must close before the end."))
        return data


def capacity_error(confirmed: int) -> str:
    return ngettext(
        "%(count)d person already has a confirmed place: the capacity cannot be lower. "
        "Ask them to cancel first.",
        "%(count)d people already have a confirmed place: the capacity cannot be lower. "
        "Ask some of them to cancel first.",
        confirmed,
    ) % {"count": confirmed}


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name and surname"), max_length=150)
    email = EmailField(label=_("Email"))
    company = forms.CharField(label=_("Company"), max_length=120, required=False)
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice: the organisers keep my name, email and company "
                "for this event."),
    )  # fmt: skip


LISTED_HELP = _(
    "Members of the organising networks then see your name, company and photo on this page."
)


class MemberRegistrationForm(forms.Form):
    """One click; a field per guest when the event lets members bring some, and whether to
    appear in "who is coming" (off unless ticked)."""

    def __init__(self, *args: Any, guests: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, guests + 1):
            self.fields[f"guest_{n}"] = forms.CharField(
                label=_("Guest %(n)s: name and surname") % {"n": n},
                max_length=150,
                required=False,
            )
        self.fields["listed"] = forms.BooleanField(
            label=_("Show me among who is coming"), help_text=LISTED_HELP, required=False
        )

    def guest_names(self) -> list[str]:
        return [v for k, v in sorted(self.cleaned_data.items()) if k.startswith("guest_") and v]


class ListingForm(forms.Form):
    """The switch for an existing registration: listed in "who is coming", or not."""

    listed = forms.BooleanField(required=False)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name and surname"), max_length=150)
    email = EmailField(label=_("Email"), required=False)
    company = forms.CharField(label=_("Company"), max_length=120, required=False)


class FollowUpForm(forms.Form):
    message = forms.CharField(
        label=_("Personal message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
