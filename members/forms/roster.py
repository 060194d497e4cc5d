"""The roster's search box and filters: GET parameters, and a value that does not validate is
ignored (the list shows unfiltered on that point) rather than answered with an error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Sector
from members.selectors.roster import RosterFilters
from networks.models import Membership


class RosterSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Membership.Status.choices],
    )
    renewal = forms.ChoiceField(
        label=_("Renewal"),
        required=False,
        choices=[("", _("Any")), ("due", _("Renewal due"))],
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any sector")), *Sector.choices]
    )

    def filters(self) -> RosterFilters:
        """The valid filters; each invalid one reads as not given."""
        self.is_valid()
        data = self.cleaned_data

        def value(name: str) -> str:
            return str(data.get(name) or "").strip()

        return RosterFilters(
            # PostgreSQL refuses NUL in a text parameter: a query with one searches nothing odd.
            query=value("q").replace("\x00", ""),
            status=value("status"),
            renewal_due=value("renewal") == "due",
            sector=value("sector"),
        )
