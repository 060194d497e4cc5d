"""allauth adapters: every account email goes through the outbox, from SITE_URL, in the
recipient's language."""

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.account.utils import filter_users_by_email, get_next_redirect_url
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from members.models import User
from networks.inputs import validate_email_address
from networks.languages import email_language, supported_language
from outbox.services import outbox_add

# Messages that carry a link or code that grants access; their bodies are blanked once sent.
SECRET_TEMPLATES = ("email_confirmation", "password_reset_key", "login_code")


# Set by an invitation's landing page: after signing up (and verifying) or logging in, the
# invitee comes back to the invitation instead of landing on their empty account page.
INVITATION_NEXT = "invitation_next"


def on_site(url: str) -> str:
    """The same page at SITE_URL. allauth builds its links from the request (host and port as
    that request saw them) and its protocol setting; people open them from SITE_URL."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    site = urlsplit(settings.SITE_URL)
    path = site.path + parts.path
    return urlunsplit((site.scheme, site.netloc, path, parts.query, parts.fragment))


def _links_on_site(context: dict[str, Any]) -> dict[str, Any]:
    """Every link allauth puts in an email (activate_url, password_reset_url, signup_url...)."""
    return {
        key: on_site(value) if isinstance(value, str) and key.endswith("_url") else value
        for key, value in context.items()
    }


def _account_language(email: str, context: dict[str, Any]) -> str:
    user = context.get("user") or next(iter(filter_users_by_email(email)), None)
    return email_language(chosen=getattr(user, "language", ""))


def _page_language() -> str:
    return supported_language(translation.get_language())


def invitation_address_proved(request: HttpRequest, email: str) -> None:
    """The invitee followed the personal link emailed to ``email``: that proves the mailbox.
    A signup in this session with that very address is verified at once (and the signup
    form offers it); any other address is verified by email as usual."""
    AccountAdapter().stash_verified_email(request, email)


def _proof_only_for(request: HttpRequest | None, email: str) -> None:
    """allauth would add a stashed address to any new account, verified, and make it the
    primary: the proof counts only for an account that signs up with that same address."""
    if request is None:
        return
    proved = request.session.get("account_verified_email") or ""
    if proved and proved.lower() != (email or "").lower():
        AccountAdapter().unstash_verified_email(request)


def _goal(request: HttpRequest | None) -> str:
    """Where the person was going when they signed up (a path on this site), or ""."""
    if request is None:
        return ""
    goal = get_next_redirect_url(request) or ""
    return goal if goal.startswith("/") and not goal.startswith("//") else ""


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Every allauth form that takes an address (signup, password reset, adding an address)
        # asks here. Their fields allow 320 characters; the columns and the outbox hold 254.
        validate_email_address(email)
        return super().clean_email(email)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        next_path = request.session.pop(INVITATION_NEXT, None)
        if next_path and next_path.startswith("/invite/"):
            return next_path
        return super().get_login_redirect_url(request)

    def save_user(
        self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True
    ) -> User:
        # The language of the signup page is the person's first choice for their email.
        user.language = _page_language()
        _proof_only_for(request, form.cleaned_data.get("email", ""))
        return super().save_user(request, user, form, commit)

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        # The link keeps the goal: opened in another browser (where confirming does not log
        # in), it still leads there, through the login page.
        url = super().get_email_confirmation_url(request, emailconfirmation)
        goal = _goal(request)
        return f"{url}?{urlencode({'next': goal})}" if goal else url

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's own send_mail adds the site; without the sites framework, it is ClubIN at
        # SITE_URL (the address people know, not whichever host served the request).
        site = SimpleNamespace(name="ClubIN", domain=urlsplit(settings.SITE_URL).netloc)
        language = _account_language(email, context)
        context = {
            "email": email, "current_site": site, "site_url": settings.SITE_URL,
            **_links_on_site(context),
        }  # fmt: skip
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                body
                for body, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        name = template_prefix.rsplit("/", 1)[-1]
        outbox_add(
            template=f"account/{name}",
            to=email,
            subject=str(message.subject),
            body_text=str(message.body),
            body_html=str(html),
            language=language,
            contains_secret=any(name.startswith(prefix) for prefix in SECRET_TEMPLATES),
            on_duplicate="skip",  # no key given: each message gets a new one
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Kept explicit so the LinkedIn rules (no silent linking by email) have one home."""

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: forms.Form | None = None
    ) -> User:
        sociallogin.user.language = _page_language()
        _proof_only_for(request, sociallogin.user.email)
        return super().save_user(request, sociallogin, form)
