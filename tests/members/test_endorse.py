"""Members vouch for pending applicants they know."""

import pytest
from django.urls import reverse
from django_scopes import scope

from members.models import Endorsement
from tests.conftest import REQUEST_OVERHEAD
from tests.members.factories import applicant, application, applications

APPLICANTS = "/florence/members/applicants/"


def _endorse_url(app, network="florence") -> str:
    return reverse("applicant_endorse", kwargs={"network_slug": network, "application_id": app.pk})


def _endorsements(network):
    with scope(network=network):
        return list(Endorsement.objects.values_list("application_id", "endorser__email", "note"))


@pytest.mark.django_db
def test_it_works(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.bob)
    assert "Nome1" in client.get(APPLICANTS).content.decode()
    client.post(_endorse_url(app), {"note": "Collaboriamo da anni"})
    client.post(_endorse_url(app), {"note": "di nuovo"})  # one click is enough: no second row
    assert _endorsements(personas.florence) == [(app.pk, "bob@example.com", "Collaboriamo da anni")]


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    app = application(personas.florence, applicant(1))
    client.force_login(personas.charlie)
    assert client.get(APPLICANTS).status_code == 404
    assert client.post(_endorse_url(app, "veneto")).status_code == 404
    assert _endorsements(personas.florence) == []


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    application(personas.florence, applicant(1))
    client.force_login(personas.dave)
    assert client.get(APPLICANTS).status_code == 404
    client.logout()
    assert client.get(APPLICANTS)["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_refuses_endorsing_a_decided_application(client, personas):
    app = application(personas.florence, applicant(1), status="rejected")
    client.force_login(personas.bob)
    assert client.post(_endorse_url(app)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 40])
def test_it_keeps_the_applicant_list_flat(client, personas, size, django_assert_max_num_queries):
    applications(personas.florence, size)
    client.force_login(personas.bob)
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 1):
        assert client.get(APPLICANTS).status_code == 200
