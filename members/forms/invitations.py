from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.services.invitation_csv import MAX_BYTES, MAX_ROWS
from members.services.invitations import RECENT
from networks.inputs import EmailField


def invitation_limits() -> dict[str, int | str]:
    """The numbers the invitation rules set, written as the active language writes them."""
    return {
        "recent_days": RECENT.days,
        "max_megabytes": MAX_BYTES // (1024 * 1024),
        "max_rows": number_format(MAX_ROWS, force_grouping=True),
    }


class InvitationForm(forms.Form):
    email = EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    message = forms.CharField(
        label=_("Personal message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words of yours: invitations are personal, never spam."),
    )


class InvitationUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            gettext(
                "Up to %(max_rows)s rows: email, name and an optional message, separated by commas "
                "or semicolons. You will see a report before anything is sent."
            )
            % invitation_limits()
        )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max_megabytes)s MB."), params=invitation_limits()
            )
        return upload
