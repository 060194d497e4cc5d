"""LinkedIn sign-in through allauth's OpenID Connect provider, present only when configured."""

import pytest
from django.urls import reverse

LINKEDIN = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "linkedin",
                "name": "LinkedIn",
                "client_id": "client-id",
                "secret": "client-secret",
                "settings": {
                    "server_url": "https://www.linkedin.com/oauth",
                    "oauth_pkce_enabled": True,
                },
            }
        ]
    }
}


@pytest.mark.django_db
def test_it_offers_linkedin_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = LINKEDIN
    body = client.get(reverse("account_login")).content.decode()
    assert "LinkedIn" in body
    assert "/accounts/oidc/linkedin/login/" in body


@pytest.mark.django_db
def test_it_hides_linkedin_when_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    body = client.get(reverse("account_login")).content.decode()
    assert "LinkedIn" not in body
    assert client.get("/accounts/oidc/linkedin/login/").status_code == 404


@pytest.mark.django_db
def test_it_never_starts_a_linkedin_login_on_get(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = LINKEDIN
    response = client.get("/accounts/oidc/linkedin/login/")
    assert response.status_code == 200  # a confirmation page with a POST form, not a redirect
    assert b'method="post"' in response.content
