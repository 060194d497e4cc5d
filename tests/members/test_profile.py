"""A person's own profile at /me/profile/: what it shows, what it saves, what it refuses."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Profile
from members.services.profiles import profile_update
from networks.models import Membership

URL = "/me/profile/"


def _form(**changes) -> dict:
    data = {
        "first_name": "Bob",
        "last_name": "Bellini",
        "company": "Bellini Ceramiche",
        "job_title": "Owner",
        "sector": "manufacturing",
        "city": "Sesto Fiorentino",
        "linkedin_url": "https://www.linkedin.com/in/bob-bellini",
        "phone": "+39 055 123456",
        "bio": "Third generation of potters.",
        "offers": "Custom tableware for restaurants",
        "needs": "An export agent for Japan",
        "visibility": "federation",
        "show_email": "on",
        "show_phone": "",
        "show_linkedin": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
def test_it_works(client, personas):
    profile_update(user=personas.bob, company="Bellini Ceramiche", offers="Tableware")
    client.force_login(personas.bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("members:profile") == URL
    form = response.context["form"]
    assert form["first_name"].value() == "Bob"
    assert form["company"].value() == "Bellini Ceramiche"
    assert form["offers"].value() == "Tableware"
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_shows_defaults_to_a_person_without_a_profile(client, personas):
    client.force_login(personas.dave)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["visibility"].value() == Profile.Visibility.NETWORKS
    assert form["company"].value() == ""
    assert not Profile.objects.filter(user=personas.dave).exists()  # reading writes nothing


@pytest.mark.django_db
def test_it_saves_the_profile_and_the_names(client, personas):
    client.force_login(personas.bob)
    response = client.post(URL, _form(first_name="Roberto"), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    personas.bob.refresh_from_db()
    assert personas.bob.first_name == "Roberto"
    profile = Profile.objects.get(user=personas.bob)
    assert profile.company == "Bellini Ceramiche"
    assert profile.visibility == "federation"
    assert (profile.show_email, profile.show_phone, profile.show_linkedin) == (True, False, True)
    # The service refreshed the text the directory searches, lower-cased.
    assert "roberto bellini" in profile.search_text
    assert "an export agent for japan" in profile.search_text


@pytest.mark.django_db
def test_it_creates_the_profile_of_a_person_who_had_none(client, personas):
    client.force_login(personas.dave)
    response = client.post(URL, _form(first_name="Dave", last_name="Donati", company="Donati Srl"))
    assert response.status_code == 302
    assert Profile.objects.get(user=personas.dave).search_text.startswith("dave donati donati srl")


@pytest.mark.django_db
def test_it_ignores_fields_it_does_not_own(client, personas):
    client.force_login(personas.bob)
    extra = {
        "is_staff": "1",
        "is_superuser": "1",
        "email": "owned@evil.example",
        "network": str(personas.veneto.pk),
        "role": "coordinator",
        "search_text": "planted words",
        "user": str(personas.alice.pk),
    }
    assert client.post(URL, _form(**extra)).status_code == 302
    personas.bob.refresh_from_db()
    assert (personas.bob.is_staff, personas.bob.is_superuser) == (False, False)
    assert personas.bob.email == "bob@example.com"
    profile = Profile.objects.get(company="Bellini Ceramiche")
    assert profile.user == personas.bob
    assert "planted" not in profile.search_text
    assert not Profile.objects.filter(user=personas.alice).exists()
    with scopes_disabled():
        assert list(
            Membership.objects.filter(user=personas.bob).values_list("network", "role")
        ) == [(personas.florence.pk, "member")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["https://evil.example/in/bob", "javascript:alert(1)", "https://linkedin.com.evil.example/"],
)
def test_it_accepts_only_linkedin_addresses(client, personas, url):
    client.force_login(personas.bob)
    response = client.post(URL, _form(linkedin_url=url))
    assert response.status_code == 200
    assert response.context["form"].errors["linkedin_url"]
    assert not Profile.objects.filter(user=personas.bob).exists()


@pytest.mark.django_db
def test_it_stores_linkedin_addresses_over_https(client, personas):
    client.force_login(personas.bob)
    client.post(URL, _form(linkedin_url="linkedin.com/in/bob-bellini"))
    assert Profile.objects.get(user=personas.bob).linkedin_url == (
        "https://linkedin.com/in/bob-bellini"
    )


@pytest.mark.django_db
def test_it_shows_errors_and_saves_nothing(client, personas):
    profile_update(user=personas.bob, company="Old Company")
    client.force_login(personas.bob)
    response = client.post(URL, _form(first_name="", phone="call me maybe", visibility="public"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "phone", "visibility"}
    assert Profile.objects.get(user=personas.bob).company == "Old Company"
    personas.bob.refresh_from_db()
    assert personas.bob.first_name == "Bob"


@pytest.mark.django_db
def test_it_asks_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, _form()).status_code == 302
    assert not Profile.objects.exists()
