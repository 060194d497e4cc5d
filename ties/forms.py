from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Sector
from networks.models import Network
from ties.models import Answer, Post
from ties.services.board import validate_post_expiry

DEFAULT_OPEN_DAYS = 30


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
