"""Journeys that keep the goal: signing up on the way to somewhere ends there, signed in; an
invitee signs up with the invited address, which the invitation link already proved."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from members.services.invitations import Invitee, invitation_send
from outbox.models import OutboxEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

APPLY = "/florence/apply/"


def _signup(client, email: str, next_url: str | None = None):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("account_signup"), data)


def _confirmation_link(to: str) -> str:
    """The path and query of the link in the signup's verification email."""
    email = OutboxEmail.objects.get(template="account/email_confirmation_signup", to=to)
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def _signed_in_as(client) -> str:
    response = client.get(reverse("members:me"))
    return response.context["user"].email if response.status_code == 200 else ""


def _next_of(path: str) -> str:
    return parse_qs(urlsplit(path).query).get("next", [""])[0]


def test_it_logs_in_on_confirmation_and_lands_on_the_application(client, personas):
    """From "Apply to FlorenceIN": log in, sign up, the emailed link, FlorenceIN's form."""
    login = client.get(APPLY)["Location"]
    assert login == f"{reverse('account_login')}?next={APPLY}"
    signup_url = client.get(login).context["signup_url"]
    assert _next_of(signup_url) == APPLY
    assert client.get(signup_url).status_code == 200

    response = _signup(client, "giovanna@example.com", APPLY)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_as(client) == ""

    link = _confirmation_link("giovanna@example.com")
    assert _next_of(link) == APPLY  # the goal travels in the link
    page = client.get(link)
    assert page.status_code == 200 and f'value="{APPLY}"' in page.content.decode()
    response = client.post(link, {"next": APPLY})
    assert response["Location"] == APPLY
    assert _signed_in_as(client) == "giovanna@example.com"
    form = client.get(APPLY)
    assert form.status_code == 200 and "form" in form.context


def test_it_keeps_the_goal_when_the_link_is_opened_in_another_browser(client, personas):
    _signup(client, "giovanna@example.com", APPLY)
    link = _confirmation_link("giovanna@example.com")
    phone = Client()  # the mail app's browser: not the session that signed up
    response = phone.post(link, {"next": _next_of(link)})
    assert response["Location"] == APPLY
    assert EmailAddress.objects.get(email="giovanna@example.com").verified
    assert _signed_in_as(phone) == ""  # the link alone never logs anybody in
    login = phone.get(APPLY)["Location"]
    response = phone.post(
        login, {"login": "giovanna@example.com", "password": PASSWORD, "next": APPLY}
    )
    assert response["Location"] == APPLY


def test_it_lands_on_the_account_page_without_a_goal(client):
    _signup(client, "nuova@example.com")
    link = _confirmation_link("nuova@example.com")
    assert "next=" not in link
    assert client.post(link)["Location"] == reverse("members:me")
    assert _signed_in_as(client) == "nuova@example.com"


@pytest.mark.parametrize("goal", ["https://elsewhere.example/phish/", "//elsewhere.example/"])
def test_it_keeps_only_a_goal_on_this_site(client, goal):
    _signup(client, "nuova@example.com", goal)
    link = _confirmation_link("nuova@example.com")
    assert "next=" not in link and "elsewhere" not in link
    response = client.post(link, {"next": goal})
    assert response["Location"] == reverse("members:me")


# --- The invitee -----------------------------------------------------------------------------
@pytest.fixture
def invitation_link(personas, smtp_sink, django_capture_on_commit_callbacks) -> str:
    """Bob's invitation to Giovanna, delivered: the path of its personal link."""
    with django_capture_on_commit_callbacks(execute=True), scope(network=personas.florence):
        invitation_send(
            network=personas.florence, inviter=personas.bob, by_coordinator=False,
            invitee=Invitee("giovanna@example.com", "Giovanna Lippi", "Ti aspettiamo!"),
        )  # fmt: skip
    text = smtp_sink.messages[-1].get_payload()[0].get_payload(decode=True).decode()
    return re.search(r"https?://\S+(/invite/\S+/)", text).group(1)  # type: ignore[union-attr]


def _signup_link_on(client, landing: str) -> str:
    page = client.get(landing).content.decode()
    match = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page)
    assert match, page
    return match.group(1).replace("%2F", "/")


def test_it_signs_the_invitee_up_with_the_invited_address_already_verified(client, invitation_link):
    signup = _signup_link_on(client, invitation_link)
    form = client.get(signup).context["form"]
    assert form.fields["email"].initial == "giovanna@example.com"  # prefilled

    response = _signup(client, "Giovanna@Example.com", invitation_link)
    assert response["Location"] == invitation_link  # back on the invitation, no email step
    assert _signed_in_as(client) == "giovanna@example.com"
    [address] = EmailAddress.objects.filter(user__email="giovanna@example.com")
    assert address.verified and address.primary
    assert not OutboxEmail.objects.filter(template__startswith="account/email_confirmation")
    accepted = client.post(invitation_link)
    assert accepted["Location"].startswith(APPLY)
    assert client.get(accepted["Location"]).status_code == 200


def test_it_still_verifies_another_address_than_the_invited_one(client, invitation_link):
    client.get(invitation_link)
    response = _signup(client, "gio.lippi@example.com", invitation_link)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _signed_in_as(client) == ""
    # The invited address is not slipped into the new account either.
    [address] = EmailAddress.objects.filter(user__email="gio.lippi@example.com")
    assert (address.email, address.verified) == ("gio.lippi@example.com", False)
    assert not EmailAddress.objects.filter(email="giovanna@example.com").exists()
    assert _next_of(_confirmation_link("gio.lippi@example.com")) == invitation_link


def test_it_asks_to_verify_the_invited_address_without_the_link(client, invitation_link):
    """Knowing the address proves nothing: only following the link does."""
    response = _signup(client, "giovanna@example.com", invitation_link)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not EmailAddress.objects.get(email="giovanna@example.com").verified
