"""What people type stays within what the database stores: lengths, dates, numbers, links."""

import inspect
from datetime import date, datetime

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from clubin.stats.forms import PeriodForm
from events.forms import (
    EventForm,
    FollowUpForm,
    GuestRegistrationForm,
    ListingForm,
    MemberRegistrationForm,
    WalkInForm,
)
from events.models import Event, Registration
from events.services.events import EventDetails, event_create
from members.forms.accounts import SignupForm
from members.forms.applications import (
    ApplicationForm,
    BulkDecisionForm,
    DecisionForm,
    EndorsementForm,
)
from members.forms.invitations import InvitationForm, InvitationUploadForm
from members.forms.profile import DirectorySearchForm
from members.forms.roster import RosterSearchForm
from members.models import (
    Endorsement,
    Invitation,
    InvitationBatch,
    MembershipApplication,
    Profile,
    User,
)
from networks.forms import CoordinatorAppointForm, CoordinatorContactForm
from networks.inputs import EmailField, query_int, validate_typed_date
from networks.models import Network
from outbox.models import OutboxEmail
from tests.conftest import PASSWORD
from tests.events.factories import event_data, make_event
from tests.site_walk import project_form_classes
from ties.forms import (
    AnswerForm,
    BoardFilterForm,
    CloseForm,
    IntroductionForm,
    OneToOneForm,
    PeopleSearchForm,
    PostForm,
    ReferralForm,
    ReferralMoveForm,
)
from ties.models import Answer, Introduction, OneToOne, Post, Referral

# Where each plain form's fields end up (form field -> model, column); a model form maps itself.
STORED_IN: dict[type, dict[str, tuple[type, str]]] = {
    GuestRegistrationForm: {
        "name": (Registration, "name"),
        "email": (Registration, "email"),
        "company": (Registration, "company"),
    },
    WalkInForm: {
        "name": (Registration, "name"),
        "email": (Registration, "email"),
        "company": (Registration, "company"),
    },
    InvitationForm: {
        "email": (Invitation, "email"),
        "name": (Invitation, "name"),
        "message": (Invitation, "message"),
    },
    ApplicationForm: {
        "first_name": (User, "first_name"),
        "last_name": (User, "last_name"),
        "company": (Profile, "company"),
        "job_title": (Profile, "job_title"),
        "city": (Profile, "city"),
        "linkedin_url": (Profile, "linkedin_url"),
        "motivation": (MembershipApplication, "motivation"),
    },
    CoordinatorAppointForm: {"email": (User, "email")},
    SignupForm: {"email": (User, "email")},
    DecisionForm: {"note": (MembershipApplication, "decision_note")},
    BulkDecisionForm: {"note": (MembershipApplication, "decision_note")},
    EndorsementForm: {"note": (Endorsement, "note")},
    MemberRegistrationForm: {},  # guest_<n> fields, built per event: see the property test
    PostForm: {"title": (Post, "title"), "body": (Post, "body"), "city": (Post, "city")},
    AnswerForm: {"note": (Answer, "note")},
    ReferralForm: {"what": (Referral, "what"), "for_whom": (Referral, "for_whom")},
    ReferralMoveForm: {},  # a status and a decimal, bounded by their fields
    ListingForm: {},  # one yes or no
    IntroductionForm: {"note": (Introduction, "note")},
    OneToOneForm: {"note": (OneToOne, "note")},
    # The sender's address is the message's Reply-To; the name and text travel in its body.
    CoordinatorContactForm: {"email": (OutboxEmail, "reply_to")},
}
# Forms whose values are never stored in a column of their own.
NOT_STORED = {
    PeriodForm, DirectorySearchForm, FollowUpForm, InvitationUploadForm, BoardFilterForm, CloseForm,
    PeopleSearchForm, RosterSearchForm,
}  # fmt: skip


def _instance(form_class, personas):
    """A form built with what its constructor asks for, as the views build it."""
    available = {
        "network": personas.florence,
        "questions": [],
        "user": personas.bob,
        "guests": 2,
        "answers": [],
        "networks": [],
        "people": [],
    }
    wanted = inspect.signature(form_class.__init__).parameters
    return form_class(**{k: v for k, v in available.items() if k in wanted})


def _column_limit(model, name):
    return model._meta.get_field(name).max_length


@pytest.mark.django_db
def test_it_keeps_every_form_field_within_its_column(personas):
    classes = project_form_classes()
    assert EventForm in classes and SignupForm in classes  # the walk finds forms
    unknown = [
        c.__qualname__
        for c in classes
        if not issubclass(c, forms.ModelForm) and c not in STORED_IN and c not in NOT_STORED
    ]
    assert unknown == [], "say where these forms' values are stored (STORED_IN or NOT_STORED)"
    too_long = []
    for form_class in classes:
        form = _instance(form_class, personas)
        if isinstance(form, forms.ModelForm):
            model = form._meta.model
            targets = {
                name: (model, name)
                for name in form.fields
                if name in {f.name for f in model._meta.get_fields()}
            }
            targets |= STORED_IN.get(form_class, {})
        else:
            targets = STORED_IN.get(form_class, {})
        for name, (model, column) in targets.items():
            if not isinstance(form.fields[name], forms.CharField):
                continue  # choices, numbers and dates are bounded otherwise
            limit = _column_limit(model, column)
            allowed = getattr(form.fields[name], "max_length", None)
            if limit is not None and (allowed is None or allowed > limit):
                too_long.append(f"{form_class.__qualname__}.{name}: {allowed} > {limit}")
    assert too_long == []


def _address(length: int) -> str:
    local = "a" * 64
    domain_labels = []
    remaining = length - len(local) - 1 - len(".example")
    while remaining > 0:
        label = "b" * min(63, remaining)
        domain_labels.append(label)
        remaining -= len(label) + 1
    address = f"{local}@{'.'.join(domain_labels)}.example"
    return address[: length - 1] + "x" if len(address) > length else address


LONG = _address(300)


def test_it_builds_a_long_address_that_django_would_accept():
    from django.core.validators import validate_email

    assert 254 < len(LONG) <= 320
    validate_email(LONG)  # the old forms' own check: it passed, then the insert failed


@pytest.mark.django_db
def test_it_refuses_overlong_addresses_with_a_form_error_everywhere(client, personas):
    event = make_event(personas.florence, visibility=Event.Visibility.PUBLIC)
    kwargs = {"network_slug": "florence", "event_id": event.pk}
    client.force_login(personas.alice)
    posts = {
        reverse("manage_invitations", kwargs={"network_slug": "florence"}): {"email": LONG},
        reverse("member_invite", kwargs={"network_slug": "florence"}): {"email": LONG},
        reverse("event_checkin_walk_in", kwargs=kwargs): {"name": "Walter", "email": LONG},
        reverse("event_register_guest", kwargs=kwargs): {
            "name": "Gina",
            "email": LONG,
            "privacy": "on",
        },
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code in (200, 302, 422), url  # an error, on the form or after
    client.force_login(personas.fiona)
    appoint = client.post(
        reverse("federation_network", kwargs={"slug": "florence"}), {"email": LONG}
    )
    assert appoint.status_code in (200, 302)
    with scope(network=personas.florence):
        assert not Invitation.objects.filter(email__startswith="a" * 64).exists()
        assert not Registration.objects.filter(email__startswith="a" * 64).exists()


@pytest.mark.django_db
def test_it_refuses_an_overlong_signup_address_instead_of_cutting_it(client):
    response = client.post(
        reverse("account_signup"), {"email": LONG, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()


@pytest.mark.django_db
def test_it_reports_overlong_csv_rows_and_confirms_the_rest(client, personas):
    client.force_login(personas.alice)
    csv = f"email,name\n{LONG},Lungo\nok@example.com,Ok\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", csv, content_type="text/csv")
    url = reverse("invitation_upload", kwargs={"network_slug": "florence"})
    response = client.post(url, {"file": upload})
    assert response.status_code in (200, 302)
    with scope(network=personas.florence):
        batch = InvitationBatch.objects.get()
        assert [row[0] for row in batch.rows] == ["ok@example.com"]
        assert [problem[2] for problem in batch.problems] == ["invalid_email"]
    confirm = reverse(
        "invitation_batch_confirm", kwargs={"network_slug": "florence", "batch_id": batch.pk}
    )
    assert client.post(confirm).status_code in (200, 302)
    with scope(network=personas.florence):
        assert list(Invitation.objects.values_list("email", flat=True)) == ["ok@example.com"]


# --- Dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), datetime(9999, 12, 31, 23, 59)],
)
def test_it_refuses_dates_out_of_range(value):
    with pytest.raises(ValidationError):
        validate_typed_date(value)


@pytest.mark.django_db
def test_it_refuses_an_event_in_year_1_on_the_form_and_keeps_pages_working(client, personas):
    client.force_login(personas.alice)
    data = {
        "title": "Anno uno",
        "venue": "Roma",
        "starts_at": "0001-01-01T20:00",
        "ends_at": "0001-01-01T22:00",
        "visibility": "public",
        "guests_per_member": "0",
    }
    url = reverse("manage_event_create", kwargs={"network_slug": "florence"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"]
    with scope(network=personas.florence):
        assert not Event.objects.exists()
    assert (
        client.get(reverse("manage_events", kwargs={"network_slug": "florence"})).status_code == 200
    )


@pytest.mark.django_db
def test_it_refuses_an_event_in_year_1_in_the_service(personas):
    data = event_data(starts_at=datetime(1, 1, 2, 20, 0).astimezone())
    with scope(network=personas.florence), pytest.raises(ValidationError):
        event_create(
            network=personas.florence,
            created_by=personas.alice,
            details=EventDetails(**data),
            cohosts=[],
        )


@pytest.mark.django_db
def test_it_refuses_a_network_launched_in_year_1(client, personas):
    client.force_login(personas.fiona)
    data = {"name": "RomaIN", "slug": "roma", "region": "Lazio", "city": "Roma"}
    data |= {"status": "forming", "launched_on": "0001-01-01"}
    response = client.post(reverse("federation_network_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["launched_on"]
    assert not Network.objects.filter(slug="roma").exists()


# --- Numbers in URLs --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("", None), ("²", None), ("١٢", None), ("-1", None), ("1" * 20, None)],
)
def test_it_reads_only_ascii_whole_numbers(raw, expected):
    assert query_int(raw) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("dave", "/florence/apply/?invitation=²"),
        ("bob", "/florence/members/applicants/?before=²"),
        ("alice", "/florence/manage/applications/?older_than=²"),
        ("alice", "/florence/manage/applications/?after=1.0_²"),
        ("alice", "/florence/manage/questions/?edit=²"),
        ("alice", "/florence/manage/invitations/?before=²"),
    ],
)
def test_it_answers_unicode_digits_in_query_strings_without_a_500(client, personas, who, path):
    client.force_login(getattr(personas, who))
    assert client.get(path).status_code in (200, 404)


@pytest.mark.django_db
def test_it_ignores_unicode_digits_in_a_bulk_decision(client, personas):
    client.force_login(personas.alice)
    url = reverse("manage_applications_bulk", kwargs={"network_slug": "florence"})
    response = client.post(url, {"action": "approved", "applications": ["²"]})
    assert response.status_code in (200, 302)


# --- LinkedIn ---------------------------------------------------------------------------------
EVIL = "https://linkedin.com.evil.example/in/mario"


@pytest.mark.django_db
def test_it_refuses_a_lookalike_linkedin_link_on_the_application_form(client, personas):
    client.force_login(personas.dave)
    data = {
        "first_name": "Dave",
        "last_name": "Donati",
        "company": "Acme",
        "job_title": "CEO",
        "sector": "ict",
        "city": "Firenze",
        "linkedin_url": EVIL,
        "motivation": "Per conoscere persone.",
        "privacy": "on",
    }
    response = client.post(reverse("apply", kwargs={"network_slug": "florence"}), data)
    assert response.status_code == 200
    assert response.context["form"].errors["linkedin_url"]
    with scope(network=personas.florence):
        assert not MembershipApplication.objects.exists()
    data["linkedin_url"] = "http://www.linkedin.com/in/dave"
    client.post(reverse("apply", kwargs={"network_slug": "florence"}), data)
    personas.dave.profile.refresh_from_db()
    assert personas.dave.profile.linkedin_url == "https://www.linkedin.com/in/dave"


@pytest.mark.django_db
def test_it_refuses_a_lookalike_linkedin_link_on_the_model(personas):
    profile = Profile(user=personas.dave, linkedin_url=EVIL)
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert "linkedin_url" in refused.value.message_dict


def test_it_says_an_address_is_too_long_once():
    with pytest.raises(ValidationError) as refused:
        EmailField().clean(LONG)
    assert len(refused.value.messages) == 1  # in words, not again as "at most 254 (it has 300)"
