"""Friendly error pages in the reader's language, 500 included (rendered with no context)."""

import pytest
from django.test import Client
from django.urls import path

from clubin.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]


@pytest.mark.urls("tests.clubin.test_error_pages")
@pytest.mark.parametrize(("language", "text"), [("it", "Qualcosa è andato storto"),
                                                 ("en", "Something went wrong")])  # fmt: skip
def test_it_shows_a_friendly_500_page_in_the_readers_language(settings, language, text):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert text in page and f'lang="{language}"' in page and "clubin.css" in page


@pytest.mark.parametrize(("language", "text"), [("it", "Pagina non trovata"),
                                                 ("en", "Page not found")])  # fmt: skip
def test_it_shows_a_friendly_404_page_in_the_readers_language(client, language, text):
    response = client.get("/nowhere-at-all/missing/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert text in response.content.decode()
