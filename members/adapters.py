"""allauth adapters: every account email goes through the outbox."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from clubin.mail.services import outbox_add

# Messages that carry a link or code that grants access; their bodies are blanked once sent.
SECRET_TEMPLATES = ("email_confirmation", "password_reset_key", "login_code")


# Set by an invitation's landing page: after signing up (and verifying) or logging in, the
# invitee comes back to the invitation instead of landing on their empty account page.
INVITATION_NEXT = "invitation_next"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        next_path = request.session.pop(INVITATION_NEXT, None)
        if next_path and next_path.startswith("/invite/"):
            return next_path
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's own send_mail adds the site; without the sites framework, it is ClubIN at
        # SITE_URL (the address people know, not whichever host served the request).
        site = SimpleNamespace(name="ClubIN", domain=urlsplit(settings.SITE_URL).netloc)
        context = {"email": email, "current_site": site, **context}
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
            contains_secret=any(name.startswith(prefix) for prefix in SECRET_TEMPLATES),
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Kept explicit so the LinkedIn rules (no silent linking by email) have one home."""
