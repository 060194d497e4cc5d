"""Tenancy: every network-owned model is scoped, and access follows the 404/403 rule."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import ScopeError, scope

from networks import services
from networks.access import Role
from networks.models import RESERVED_SLUGS, Membership, Network


def _has_network_fk(model) -> bool:
    return any(
        getattr(field, "related_model", None) is Network and field.many_to_one
        for field in model._meta.get_fields()
    )


def _is_scoped(manager) -> bool:
    return type(manager).__qualname__.startswith("ScopedManager.")


# Rows with a network foreign key that no network owns, each with the reason.
NOT_NETWORK_OWNED = {
    # Belongs to the two people; its network only says where it began, for the figures, and a
    # connection across networks counts for both.
    "Connection",
}


def test_it_finds_no_network_owned_model_without_a_scoped_manager():
    owned = [
        m for m in apps.get_models() if _has_network_fk(m) and m.__name__ not in NOT_NETWORK_OWNED
    ]
    assert Membership in owned  # the walk must see at least the models we know
    unscoped = [m.__name__ for m in owned if not _is_scoped(m._default_manager)]
    assert unscoped == []


@pytest.mark.django_db
def test_it_raises_for_a_query_outside_a_scope(personas):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with scope(network=personas.florence):
        assert {m.user for m in Membership.objects.all()} == {personas.alice, personas.bob}


def _network_patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _network_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and "<slug:network_slug>" in prefix + str(entry.pattern):
            yield entry


def test_it_declares_a_role_on_every_network_view():
    patterns = list(_network_patterns())
    assert patterns, "the URL walk found no network pages"
    undeclared = [
        p.name for p in patterns if not isinstance(getattr(p.callback, "network_role", None), Role)
    ]
    assert undeclared == []


MANAGE = "/florence/manage/"


@pytest.mark.django_db
def test_it_lets_the_coordinator_manage(client, personas):
    client.force_login(personas.alice)
    assert client.get(MANAGE).status_code == 200
    response = client.get(MANAGE + "members/")
    assert response.status_code == 200
    assert b"bob@example.com" in response.content


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    """Charlie coordinates VenetoIN: FlorenceIN's manage pages do not exist for him."""
    client.force_login(personas.charlie)
    other = client.get(MANAGE)
    missing = client.get("/atlantis/manage/")
    assert other.status_code == missing.status_code == 404


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(MANAGE).status_code == 403


@pytest.mark.django_db
def test_it_hides_manage_pages_from_people_without_a_membership(client, personas):
    client.force_login(personas.dave)
    assert client.get(MANAGE).status_code == 404
    client.force_login(personas.fiona)  # staff use the federation pages, not a network's
    assert client.get(MANAGE).status_code == 404


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_login(client, personas):
    response = client.get(MANAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={MANAGE}"


@pytest.mark.django_db
def test_it_revokes_access_on_the_next_request(client, personas):
    client.force_login(personas.alice)
    assert client.get(MANAGE).status_code == 200
    with scope(network=personas.florence):
        membership = Membership.objects.get(user=personas.alice)
        services.coordinator_remove(
            network=personas.florence, membership=membership, removed_by=personas.fiona
        )
    assert client.get(MANAGE).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug", ["admin", "accounts", "me", "federation", "static", "invite", "healthz", "dev", "i18n"]
)
def test_it_refuses_reserved_slugs(slug):
    assert slug in RESERVED_SLUGS
    with pytest.raises(ValidationError) as caught:
        services.network_create(slug=slug, name="X", region="R", city="C")
    assert "slug" in caught.value.message_dict
    assert not Network.objects.filter(slug=slug).exists()


def _first_segments(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith("<"):
            continue  # the networks themselves
        if hasattr(entry, "url_patterns") and not route:
            yield from _first_segments(entry.url_patterns, route)  # included at the root
        elif route:
            yield route.split("/", 1)[0]


def test_it_reserves_every_first_path_segment_the_site_uses():
    from clubin.urls import urlpatterns

    used = {segment for segment in _first_segments(urlpatterns) if "." not in segment}
    assert used - RESERVED_SLUGS == set()  # a network there would hide the page
