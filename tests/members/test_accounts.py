"""The account journey through the test client, with every email read from the outbox."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from outbox.models import OutboxEmail
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase 42"


def _link_in(template: str, to: str) -> str:
    """The path of the link in an account email, which starts with SITE_URL (not the request's
    host: tests/mail/test_links.py checks that for every email)."""
    email = OutboxEmail.objects.get(template=template, to=to)
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def _signup(client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.django_db
def test_it_signs_up_verifies_logs_in_and_out(client):
    response = _signup(client, "nuova@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    # Verification is mandatory: no login before the link is followed.
    assert client.get(reverse("members:me")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "nuova@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")

    link = _link_in("account/email_confirmation_signup", "nuova@example.com")
    assert client.get(link).status_code == 200
    # Confirming in the browser that signed up logs the person in (tests/members/test_journeys.py
    # follows a signup that was on its way somewhere).
    assert client.post(link)["Location"] == reverse("members:me")
    assert client.get(reverse("members:me")).status_code == 200

    client.post(reverse("account_logout"))
    assert client.get(reverse("members:me")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "nuova@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("members:me")
    assert client.get(reverse("members:me")).status_code == 200

    client.post(reverse("account_logout"))
    assert client.get(reverse("members:me")).status_code == 302


@pytest.mark.django_db
def test_it_writes_the_verification_email_in_both_parts(client):
    _signup(client, "nuova@example.com")
    email = OutboxEmail.objects.get(to="nuova@example.com")
    assert email.contains_secret
    assert "/accounts/confirm-email/" in email.body_text
    assert f'<a href="{settings.SITE_URL}/accounts/confirm-email/' in email.body_html
    assert email.subject.startswith("[ClubIN]")
    # The site is named (allauth's text says "an account on <site>"), never left blank.
    assert "127.0.0.1:8000." in email.body_text and " su ." not in email.body_text


@pytest.mark.django_db
def test_it_resets_a_forgotten_password(client):
    make_user("bruna@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "bruna@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")

    link = _link_in("account/password_reset_key", "bruna@example.com")
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key out of the URL first
    form_url = response["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    response = client.post(
        reverse("account_login"), {"login": "bruna@example.com", "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("members:me")


@pytest.mark.django_db
def test_it_answers_signup_the_same_for_known_and_unknown_emails(client, django_user_model):
    make_user("esistente@example.com")
    known = _signup(client, "esistente@example.com")
    unknown = _signup(client, "sconosciuta@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The owner of the existing account is told, by email only.
    assert OutboxEmail.objects.filter(
        to="esistente@example.com", template="account/account_already_exists"
    ).exists()
    assert django_user_model.objects.filter(email="esistente@example.com").count() == 1


@pytest.mark.django_db
def test_it_answers_password_reset_the_same_for_known_and_unknown_emails(client):
    make_user("esistente@example.com")
    known = client.post(reverse("account_reset_password"), {"email": "esistente@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nessuno@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert OutboxEmail.objects.filter(
        to="nessuno@example.com", template="account/unknown_account"
    ).exists()


@pytest.mark.django_db
def test_it_logs_in_with_email_not_username(client):
    user = make_user("carla@example.com")
    assert not hasattr(user, "username")
    response = client.post(
        reverse("account_login"), {"login": "CARLA@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("members:me")


@pytest.mark.django_db
def test_it_sends_the_admin_login_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
