from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.inputs import validate_typed_date

MAX_RANGE = timedelta(days=5 * 366)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("30d", _("last 30 days")),
            ("90d", _("last 90 days")),
            ("12m", _("last 12 months")),
            ("custom", _("custom range")),
        ],
    )
    # The shared bounds also keep month arithmetic clear of year 1.
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_typed_date],
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_typed_date],
    )
    # Offered as a list of the regions the figures contain; an unknown one shows no row.
    region = forms.CharField(label=_("Region"), required=False, max_length=80)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if not (start and end):
            raise forms.ValidationError(_("Give both dates of the custom range."))
        if start > end:
            raise forms.ValidationError(_("The range must start before it ends."))
        if end > timezone.localdate():
            self.add_error("end", _("The range cannot end in the future."))
        if end - start > MAX_RANGE:
            raise forms.ValidationError(_("The range can cover at most five years."))
        return data
