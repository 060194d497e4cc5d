from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from members.services.invitation_csv import MAX_BYTES
from networks.inputs import EmailField


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
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Up to 10,000 rows: email, name and an optional message, separated by commas or "
            "semicolons. You will see a report before anything is sent."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
