"""Forms of the application flow: the applicant's form and the coordinators' decisions."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms.profile import LinkedInURLField
from members.models import YES_NO_LABELS, ApplicationQuestion, Sector, User
from members.services.profiles import ApplicantProfile
from networks.inputs import query_int
from networks.models import Membership, Network

# The card number shown as an example in the sponsor's hint.
SPONSOR_EXAMPLE = 12
CARD_LABEL = re.compile(r"^(?:[A-Za-z]{1,6}-)?0*(\d{1,9})$")


class ApplicationForm(forms.Form):
    """The fields are listed here, never derived from a model: the server owns the rest."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    company = forms.CharField(label=_("Company"), max_length=120)
    job_title = forms.CharField(label=_("Role"), max_length=120)
    # No sector is chosen for the applicant: an empty first choice, which is required.
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices])
    city = forms.CharField(label=_("City"), max_length=80)
    linkedin_url = LinkedInURLField(label=_("LinkedIn profile (optional)"), required=False)
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sponsor_card = forms.CharField(
        label=_("Sponsor's card number (optional)"), required=False, max_length=20
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice"),
        help_text=_("Required to apply."),
    )

    def __init__(
        self, *args: Any, network: Network, questions: list[ApplicationQuestion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.questions = questions
        # The example reads like a card of this network, as its cards are printed.
        self.fields["sponsor_card"].help_text = _(
            "A member of this network who knows you, for example %(card)s."
        ) % {"card": network.card_label_for(SPONSOR_EXAMPLE)}
        for question in questions:
            self.fields[f"q_{question.pk}"] = _question_field(question)

    def clean_sponsor_card(self) -> User | None:
        raw = self.cleaned_data["sponsor_card"].strip()
        if not raw:
            return None
        match = CARD_LABEL.match(raw)
        sponsor = None
        if match:
            sponsor = (
                Membership.objects.filter(
                    network=self.network,
                    card_number=int(match.group(1)),
                    status=Membership.Status.ACTIVE,
                )
                .select_related("user")
                .first()
            )
        if sponsor is None:
            raise forms.ValidationError(
                _("No current member of %(network)s has this card number."),
                params={"network": self.network.name},
            )
        return sponsor.user

    def profile_data(self) -> ApplicantProfile:
        data = self.cleaned_data
        return ApplicantProfile(
            first_name=data["first_name"],
            last_name=data["last_name"],
            company=data["company"],
            job_title=data["job_title"],
            sector=data["sector"],
            city=data["city"],
            linkedin_url=data.get("linkedin_url", ""),
        )

    def answers(self) -> dict[str, Any]:
        """Answers keyed by question id, with the label as asked, so later edits keep history."""
        return {
            str(q.pk): {
                "label": q.label,
                "kind": q.kind,
                "value": self.cleaned_data.get(f"q_{q.pk}"),
            }
            for q in self.questions
        }


def _question_field(question: ApplicationQuestion) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
    }
    kind = ApplicationQuestion.Kind
    if question.kind == kind.LONG_TEXT:
        return forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.kind == kind.CHOICE:
        options = [("", "—"), *((c, c) for c in question.choice_list)]
        return forms.ChoiceField(choices=options, **common)
    if question.kind == kind.YES_NO:
        yes_no: list[tuple[str, Any]] = [("", "—"), *YES_NO_LABELS.items()]
        return forms.ChoiceField(choices=yes_no, **common)
    return forms.CharField(max_length=300, **common)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approved", _("Approve")),
            ("waitlisted", _("Waitlist")),
            ("rejected", _("Reject")),
        ]
    )
    note = forms.CharField(
        label=_("Note to the applicant (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkDecisionForm(DecisionForm):
    applications = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the service only touches this network's open applications.
        ids = self.data.getlist("applications") if hasattr(self.data, "getlist") else []
        field = self.fields["applications"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 (narrows the type)
        field.choices = [(i, i) for i in ids if query_int(i) is not None]


class EndorsementForm(forms.Form):
    note = forms.CharField(
        label=_("How do you know them? (optional)"), required=False, max_length=300
    )


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ApplicationQuestion
        fields = ["label", "help_text", "kind", "choices", "required", "position", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == ApplicationQuestion.Kind.CHOICE
            and len([c for c in (data.get("choices") or "").splitlines() if c.strip()]) < 2
        ):
            self.add_error("choices", _("A single-choice question needs at least two choices."))
        return data


class IntakeSettingsForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = [
            "intake_open", "membership_cap", "one_per_sector", "card_prefix", "language",
            "member_invite_quota", "invitation_reminder_days",
        ]  # fmt: skip


class AlertsForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["application_alerts"]
