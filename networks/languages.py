"""The language of an email: the recipient's, never that of whoever clicked.

One rule, used by every piece of code that queues mail:

- a person with an account reads mail in the language they chose (stored on the account at
  signup and whenever they switch language while signed in);
- someone without an account (a guest, an invitee), or an account with no choice stored yet,
  reads a network's mail in the network's language;
- account mail about no network (a password reset for an address with no account) goes out in
  the language of the page that asked for it, since the asker is the only reader we know of.
"""

from django.conf import settings
from django.utils import translation

from networks.models import Network


def supported_language(code: str | None) -> str:
    """``code`` if ClubIN speaks it (``en-us`` counts as ``en``), else the site's language."""
    available = dict(settings.LANGUAGES)
    if code in available:
        return code
    base = (code or "").split("-")[0]
    return base if base in available else settings.LANGUAGE_CODE


def email_language(*, chosen: str = "", network: Network | None = None) -> str:
    """The language to write to a person in; ``chosen`` is the language on their account."""
    if chosen:
        return supported_language(chosen)
    if network is not None:
        return supported_language(network.language)
    return supported_language(translation.get_language())
