from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import Sector
from networks.models import Network
from ties.models import REFERRAL_MAX_VALUE, Answer, Post, Referral
from ties.selectors.people import Picker
from ties.selectors.referrals import referral_candidates
from ties.services.board import validate_post_expiry
from ties.services.meetings import validate_met_on

DEFAULT_OPEN_DAYS = 30


def searchable(field: forms.Field, *, url: str) -> None:
    """Let static/js/people-picker.js turn this select into a search box over ``url`` (the
    network's people search for this form). The select keeps every choice, so the form works
    without JavaScript and its validation stays the authority on whom it accepts."""
    if not url:
        return
    field.widget.attrs.update(
        {
            "data-people-search": url,
            "data-hint": _("Type at least two letters of a name or a company."),
            "data-none": _("Nobody found."),
            "data-error": _("The search is not available: choose from the list."),
            "data-too-many": _("Too many searches in a short time: wait a minute."),
            "data-found": _("People found: use the arrow keys to choose."),
        }
    )


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I post"), choices=Post.Kind.choices, initial=Post.Kind.ASK,
        widget=forms.RadioSelect,
    )  # fmt: skip
    reach = forms.ChoiceField(
        label=_("Who sees it"), choices=Post.Reach.choices, initial=Post.Reach.NETWORK,
        widget=forms.RadioSelect,
    )  # fmt: skip
    title = forms.CharField(
        label=_("In one line"),
        max_length=140,
        help_text=_("For instance: a notary in Padova who knows start-ups."),
    )
    body = forms.CharField(
        label=_("Details"), max_length=3000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    expires_on = forms.DateField(
        label=_("Open until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=DEFAULT_OPEN_DAYS)

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data["expires_on"]
        validate_post_expiry(value)
        return value


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("My answer"), choices=Answer.Kind.choices, initial=Answer.Kind.HELP,
        widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author sees your name, your note and your email address."),
    )  # fmt: skip


class CloseForm(forms.Form):
    helpful_answer = forms.TypedChoiceField(
        label=_("Which answer helped?"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, answers: list[Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("None of them")))]
        choices += [(str(a.pk), a.author.get_full_name() or a.author.email) for a in answers]
        self.fields["helpful_answer"].choices = choices  # type: ignore[attr-defined]


class BoardFilterForm(forms.Form):
    """The board's filters, from the query string: a bad value is ignored, never a 500."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Asks and offers")), *Post.Kind.choices], required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("Any sector")), *Sector.choices], required=False
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    network = forms.TypedChoiceField(
        label=_("Network"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, networks: list[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Any network")), *[(str(n.pk), n.name) for n in networks]]
        self.fields["network"].choices = choices  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        self.is_valid()  # an invalid field is left out of cleaned_data; the others still apply
        return self.cleaned_data.get(name)


# Referrals (ties/views/referrals.py).


def _value_field(label: Any, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_value=REFERRAL_MAX_VALUE,
        max_digits=12, decimal_places=2, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )  # fmt: skip


class ReferralForm(forms.Form):
    """Business for a member of the network, for a member or for someone outside ClubIN."""

    receiver = forms.TypedChoiceField(label=_("Pass it to"), coerce=int)
    what = forms.CharField(
        label=_("What"), max_length=200,
        help_text=_("For instance: the new offices of a law firm need furniture."),
    )  # fmt: skip
    contact = forms.TypedChoiceField(
        label=_("For a member"), required=False, coerce=int, empty_value=None
    )
    for_whom = forms.CharField(
        label=_("Or for someone outside ClubIN"), max_length=200, required=False,
        help_text=_("A name and a company."),
    )  # fmt: skip
    estimated_value = _value_field(_("Estimated value (€, optional)"), required=False)

    def __init__(
        self, *args: Any, network: Network, user: Any, search_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(p.pk), p.get_full_name() or p.email) for p in
                  referral_candidates(network=network, viewer=user)]  # fmt: skip
        for name in ("receiver", "contact"):
            self.fields[name].choices = [("", "—"), *people]  # type: ignore[attr-defined]
            searchable(self.fields[name], url=search_url)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact, for_whom = data.get("contact"), (data.get("for_whom") or "").strip()
        if contact is None and not for_whom and "for_whom" not in self.errors:
            self.add_error("for_whom", _("Choose a member or write a name."))
        if contact is not None and contact == data.get("receiver"):
            self.add_error("contact", _("The contact cannot be the member you pass it to."))
        return data


class ReferralMoveForm(forms.Form):
    """How far the receiver got: forward only, and the value of the business when won."""

    status = forms.ChoiceField(
        label=_("Where it stands"),
        choices=[(s.value, capfirst(s.label)) for s in Referral.Status if s != s.PASSED],
    )
    won_value = _value_field(_("Value of the business closed (€)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_value = data.get("won_value") is None and "won_value" not in self.errors
        if data.get("status") == Referral.Status.WON and no_value:
            self.add_error("won_value", _("Say the value of the business closed."))
        return data


def _people_choices(people: list[Any]) -> list[tuple[str, str]]:
    return [("", "—"), *[(str(p.pk), p.get_full_name() or p.email) for p in people]]


class IntroductionForm(forms.Form):
    """Two of my connections in this network, and why they should meet."""

    first = forms.TypedChoiceField(label=_("Introduce"), coerce=int)
    second = forms.TypedChoiceField(label=_("To"), coerce=int)
    note = forms.CharField(
        label=_("Why they should meet"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Both read your note. Each accepts or declines; nobody learns who declined."),
    )  # fmt: skip

    def __init__(self, *args: Any, people: list[Any], search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        for name in ("first", "second"):
            self.fields[name].choices = _people_choices(people)  # type: ignore[attr-defined]
            searchable(self.fields[name], url=search_url)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("first") is not None and cleaned.get("first") == cleaned.get("second"):
            raise forms.ValidationError(_("Choose two different people."))
        return cleaned


class OneToOneForm(forms.Form):
    """A one-to-one I had with another member of this network."""

    other = forms.TypedChoiceField(label=_("I met"), coerce=int)
    met_on = forms.DateField(
        label=_("On"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The other member reads it when asked to confirm."),
    )  # fmt: skip

    def __init__(self, *args: Any, people: list[Any], search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["other"].choices = _people_choices(people)  # type: ignore[attr-defined]
        searchable(self.fields["other"], url=search_url)
        self.fields["met_on"].initial = timezone.localdate()

    def clean_met_on(self) -> Any:
        value = self.cleaned_data["met_on"]
        validate_met_on(value)
        return value


class PeopleSearchForm(forms.Form):
    """The people search's query string: ``q`` and ``for`` (here ``picker``: a keyword)."""

    q = forms.CharField(max_length=100, required=False)
    picker = forms.ChoiceField(choices=[(picker.value, picker.value) for picker in Picker])

    @classmethod
    def from_query(cls, params: Any) -> "PeopleSearchForm":
        return cls({"q": params.get("q", ""), "picker": params.get("for", "")})
