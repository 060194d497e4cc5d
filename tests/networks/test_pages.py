"""Public pages, the language switch, and the federation staff's network management."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from members.models import User
from networks.models import Membership, Network
from outbox.models import OutboxEmail
from tests.conftest import make_user


def _add_members(network: Network, count: int) -> None:
    users = User.objects.bulk_create(
        [User(email=f"m{n}.{network.slug}@example.com", first_name=f"M{n}") for n in range(count)]
    )
    with scopes_disabled():
        start = Membership.objects.filter(network=network).count() + 1
        Membership.objects.bulk_create(
            [
                Membership(network=network, user=u, card_number=start + i)
                for i, u in enumerate(users)
            ]
        )


@pytest.mark.django_db
def test_it_lists_networks_with_their_numbers(client, personas):
    Network.objects.create(slug="marche", name="MarcheIN", region="Marche", city="Ancona")
    response = client.get("/")
    assert response.status_code == 200
    networks = {n.slug: n for n in response.context["networks"]}
    assert networks["florence"].member_count == 2
    assert networks["veneto"].member_count == 1
    assert networks["marche"].member_count == 0
    body = response.content.decode()
    assert "Toscana" in body and "MarcheIN" in body
    assert "in formazione" in body  # MarcheIN is still forming, said in Italian by default


@pytest.mark.django_db
def test_it_shows_a_network_public_page(client, personas):
    response = client.get("/florence/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "FlorenceIN" in body and "Alice Arnolfi" in body  # the coordinator is named
    assert "bob@example.com" not in body  # members' emails are not public
    assert client.get("/atlantis/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 200])
def test_it_keeps_public_queries_flat_as_networks_grow(
    client, personas, size, django_assert_max_num_queries
):
    _add_members(personas.florence, size)
    with django_assert_max_num_queries(2):  # the networks, the next public events
        assert client.get("/").status_code == 200
    # the network, its member count, its coordinators, its next public events
    with django_assert_max_num_queries(4):
        assert client.get("/florence/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 200])
def test_it_keeps_the_manage_home_queries_flat(
    client, personas, size, django_assert_max_num_queries
):
    _add_members(personas.florence, size)
    client.force_login(personas.alice)
    # session, user, network, membership, managed networks in the menu; then one query per
    # card: members, applications, renewals, next event, members without a connection (ties)
    with django_assert_max_num_queries(10):
        response = client.get("/florence/manage/")
    assert response.context["counts"]["total"] == size + 2


@pytest.mark.django_db
def test_it_speaks_italian_by_default_and_english_on_request(client, personas):
    assert "soci tesserati" in client.get("/florence/").content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/florence/"})
    assert response["Location"] == "/florence/"
    assert "card-holding members" in client.get("/florence/").content.decode()


@pytest.mark.django_db
def test_it_ignores_a_language_switch_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_it_shows_manage_entries_for_coordinated_networks_only(client, personas):
    client.force_login(personas.alice)
    body = client.get("/").content.decode()
    assert 'href="/florence/manage/"' in body
    assert 'href="/veneto/manage/"' not in body
    client.force_login(personas.bob)
    assert "/manage/" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_it_lists_my_memberships_across_networks(client, personas):
    with scopes_disabled():
        Membership.objects.create(network=personas.veneto, user=personas.bob, card_number=2)
    client.force_login(personas.bob)
    response = client.get(reverse("members:me"))
    assert [m.network.slug for m in response.context["memberships"]] == ["florence", "veneto"]
    assert response["Cache-Control"].startswith("max-age=0")


# --- Federation staff ------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_lets_staff_create_a_network(client, personas):
    client.force_login(personas.fiona)
    response = client.post(
        reverse("federation_network_create"),
        {
            "name": "CagliariIN",
            "slug": "cagliari",
            "region": "Sardegna",
            "city": "Cagliari",
            "status": "forming",
        },
    )
    assert response.status_code == 302
    assert Network.objects.get(slug="cagliari").region == "Sardegna"


@pytest.mark.django_db
def test_it_shows_form_errors_for_a_reserved_or_taken_slug(client, personas):
    client.force_login(personas.fiona)
    for slug in ("admin", "florence"):
        response = client.post(
            reverse("federation_network_create"),
            {"name": "X", "slug": slug, "region": "R", "city": "C", "status": "forming"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["slug"]
    assert Network.objects.count() == 2


@pytest.mark.django_db
def test_it_lets_staff_appoint_and_remove_a_coordinator(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.fiona)
    url = reverse("federation_network", kwargs={"slug": "veneto"})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"email": "dave@example.com"})
    assert response.status_code == 302
    with scope(network=personas.veneto):
        membership = Membership.objects.get(user=personas.dave)
    assert membership.role == "coordinator" and membership.card_number == 2
    email = OutboxEmail.objects.get(to="dave@example.com")
    assert email.template == "coordinator-appointed" and email.network_id == personas.veneto.pk
    assert "/veneto/manage/" in email.body_text
    # The email is handed to Celery only after the commit (the figures' refresh is the other).
    handed = [c for c in callbacks if c.__qualname__.startswith("outbox_add")]
    assert len(handed) == 1 and len(callbacks) == 2

    remove = reverse(
        "federation_coordinator_remove", kwargs={"slug": "veneto", "membership_id": membership.pk}
    )
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "member"


@pytest.mark.django_db
def test_it_refuses_to_appoint_an_unknown_email(client, personas):
    client.force_login(personas.fiona)
    response = client.post(
        reverse("federation_network", kwargs={"slug": "veneto"}), {"email": "x@example.com"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


@pytest.mark.django_db
def test_it_cannot_remove_a_coordinator_through_another_network(client, personas):
    client.force_login(personas.fiona)
    with scope(network=personas.florence):
        alice = Membership.objects.get(user=personas.alice)
    url = reverse(
        "federation_coordinator_remove", kwargs={"slug": "veneto", "membership_id": alice.pk}
    )
    assert client.post(url).status_code == 404
    alice.refresh_from_db()
    assert alice.role == "coordinator"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "dave"])
def test_it_hides_federation_pages_from_non_staff(client, personas, persona):
    client.force_login(getattr(personas, persona))
    for url in (
        reverse("federation_home"),
        reverse("federation_networks"),
        reverse("federation_stats_csv"),
        reverse("federation_stats_json"),
        reverse("federation_network_create"),
        "/federation/networks/veneto/",
    ):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_from_federation_pages_to_login(client):
    response = client.get(reverse("federation_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_lets_staff_use_the_admin_across_networks(client, personas):
    personas.fiona.is_superuser = True
    personas.fiona.save()
    client.force_login(personas.fiona)
    assert client.get("/admin/networks/membership/").status_code == 200
    assert client.get(f"/admin/networks/network/{personas.florence.pk}/change/").status_code == 200
    make_user("x@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 30])
def test_it_keeps_my_page_flat_across_networks(
    client, personas, size, django_assert_max_num_queries
):
    for n in range(size):
        network = Network.objects.create(slug=f"rete{n}", name=f"Rete {n}", region="R", city="C")
        with scopes_disabled():
            Membership.objects.create(network=network, user=personas.bob, card_number=1)
    client.force_login(personas.bob)
    # session, user, memberships, cards, applications, sent invitations, my photo, menu, and
    # from ties the unread answers badge, introductions waiting and those I made, one-to-ones
    # waiting, my connections, and my profile for the suggestions (no profile: no suggestions)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("members:me"))
    assert len(response.context["memberships"]) == size + 1


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 30])
def test_it_keeps_the_federation_list_flat(client, personas, size, django_assert_max_num_queries):
    for n in range(size):
        Network.objects.create(slug=f"rete{n}", name=f"Rete {n}", region="R", city="C")
    client.force_login(personas.fiona)
    with django_assert_max_num_queries(4):  # session, user, menu, networks with counts
        assert client.get(reverse("federation_networks")).status_code == 200
