"""allauth's signup form, with ClubIN's two rules on top (settings.ACCOUNT_FORMS)."""

import secrets
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password

from networks.inputs import EMAIL_MAX_LENGTH


class SignupForm(AllauthSignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # allauth accepts 320 characters and used to cut the address to the column's 254 when
        # saving: an account for somebody else's address. The adapter's clean_email refuses
        # it; the field says the same limit to the browser.
        email = self.fields["email"]
        email.max_length = EMAIL_MAX_LENGTH
        email.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)

    def try_save(self, request: Any) -> Any:
        if self.account_already_exists:
            # A new account costs a password hash (most of a signup's time); an existing
            # address must cost the same, or the answer's timing tells who has an account.
            make_password(self.cleaned_data.get("password1") or secrets.token_urlsafe())
        return super().try_save(request)
