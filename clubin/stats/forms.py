from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_RANGE = timedelta(days=5 * 366)
EARLIEST = date(2000, 1, 1)  # before any network; and month arithmetic needs room before it


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
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Offered as a list of the regions the figures contain; an unknown one shows no row.
    region = forms.CharField(label=_("Region"), required=False, max_length=80)

    def clean(self):
        data = super().clean() or {}
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if not (start and end):
            raise forms.ValidationError(_("Give both dates of the custom range."))
        if start > end:
            raise forms.ValidationError(_("The range must start before it ends."))
        if start < EARLIEST:
            self.add_error("start", _("The range cannot start before 2000."))
        if end > timezone.localdate():
            self.add_error("end", _("The range cannot end in the future."))
        if end - start > MAX_RANGE:
            raise forms.ValidationError(_("The range can cover at most five years."))
        return data
