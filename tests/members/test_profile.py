"""A person's own profile at /me/profile/: what it shows, what it saves, what it refuses."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from members.models import Profile
from members.services.profiles import profile_update
from networks.models import Membership
from outbox.services import optout_add, optout_exists, optout_hash

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


class _FormAsShown(HTMLParser):
    """What a browser would send for the profile form: its fields as the page renders them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.names: set[str] = set()
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            self.names.add(name)
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea, self.fields[name] = name, ""
        elif tag == "select" and name:
            self.names.add(name)
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _as_shown(client) -> _FormAsShown:
    page = client.get(URL)
    parser = _FormAsShown()
    parser.feed(page.content.decode())
    parser.form = page.context["form"]  # type: ignore[attr-defined]
    return parser


@pytest.mark.django_db
def test_it_renders_every_field_of_the_form(client, personas):
    """A field the form has and the page leaves out is posted as empty: it would be wiped."""
    client.force_login(personas.bob)
    shown = _as_shown(client)
    assert set(shown.form.fields) <= shown.names  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_keeps_event_news_on_when_the_profile_is_saved(client, personas):
    profile_update(user=personas.bob, event_news=True)
    given = Profile.objects.get(user=personas.bob).event_news_at
    client.force_login(personas.bob)
    data = _as_shown(client).fields
    assert data.get("event_news") == "on"  # the box is there, ticked
    assert client.post(URL, {**data, "company": "Bellini Ceramiche"}).status_code == 302
    profile = Profile.objects.get(user=personas.bob)
    assert (profile.company, profile.event_news, profile.event_news_at) == (
        "Bellini Ceramiche", True, given
    )  # fmt: skip


@pytest.mark.django_db
def test_it_records_when_event_news_is_given_and_withdrawn_from_the_page(client, personas):
    client.force_login(personas.bob)
    data = _as_shown(client).fields
    assert "event_news" not in data  # never asked: unticked
    client.post(URL, {**data, "event_news": "on"})
    given = Profile.objects.get(user=personas.bob)
    assert given.event_news is True and given.event_news_at is not None
    data = _as_shown(client).fields
    del data["event_news"]  # unticked
    client.post(URL, data)
    withdrawn = Profile.objects.get(user=personas.bob)
    assert withdrawn.event_news is False
    assert withdrawn.event_news_at is not None and withdrawn.event_news_at > given.event_news_at


@pytest.mark.django_db
def test_it_dates_consent_given_again_after_a_one_click_opt_out(client, personas):
    profile_update(user=personas.bob, event_news=True)
    first = Profile.objects.get(user=personas.bob).event_news_at
    optout_add(email_hash=optout_hash(personas.bob.email))
    client.force_login(personas.bob)
    data = _as_shown(client).fields
    assert "event_news" not in data  # the page shows the opt-out
    client.post(URL, {**data, "event_news": "on"})
    again = Profile.objects.get(user=personas.bob)
    assert first is not None and again.event_news_at is not None
    assert again.event_news is True and again.event_news_at > first
    assert not optout_exists(email=personas.bob.email)
