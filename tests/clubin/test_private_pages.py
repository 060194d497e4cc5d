"""Pages shown to a signed-in person never land in a shared or browser cache: one rule, walked."""

import pytest

from tests.site_walk import site_objects, site_pages

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_it_sends_no_store_on_every_page_a_signed_in_person_gets(client, personas):
    site = site_objects(personas)
    pages = [page.path(site.values) for page in site_pages()]
    shown, leaks = 0, []
    # The coordinator, a member and federation staff between them open every kind of page.
    for person in (personas.alice, personas.bob, personas.fiona):
        client.force_login(person)
        for path in pages:
            if path.endswith("/logout/"):
                continue
            response = client.get(path)
            shown += response.status_code == 200
            if not _no_store(response):
                leaks.append((person.email, path, response.status_code))
    assert leaks == []
    assert shown > 40  # the walk reaches the real pages, not only refusals


def test_it_leaves_pages_for_anonymous_visitors_alone(client, personas):
    response = client.get("/florence/events/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_it_keeps_a_view_that_declares_itself_public(rf, personas):
    from django.http import HttpResponse

    from networks.middleware import PrivatePagesMiddleware

    def public_view(request):
        response = HttpResponse("same for everyone")
        response["Cache-Control"] = "public, max-age=60"
        return response

    request = rf.get("/")
    request.user = personas.bob
    response = PrivatePagesMiddleware(public_view)(request)
    assert response["Cache-Control"] == "public, max-age=60"
