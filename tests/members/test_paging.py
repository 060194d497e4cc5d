"""One way to page a list (networks.paging): a next page only when rows follow, the other
query parameters kept, and the links written by one template."""

import re
from pathlib import Path

import pytest
from django_scopes import scope

from members.models import InvitationBatch
from members.selectors import applications as application_selectors
from members.selectors import invitations as invitation_selectors
from members.services.invitations import Invitee
from tests.members.factories import applicant, application, applications

APPLICANTS = "/florence/members/applicants/"
QUEUE = "/florence/manage/applications/"
INVITATIONS = "/florence/manage/invitations/"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.django_db
def test_it_offers_a_next_page_only_when_rows_follow(client, personas):
    size = application_selectors.PAGE_SIZE
    made = applications(personas.florence, size)
    client.force_login(personas.bob)
    full = client.get(APPLICANTS)
    assert len(full.context["applicants"]) == size
    assert full.context["next_page_query"] == ""  # no "next" link to an empty page
    newest = application(personas.florence, applicant(size))
    first = client.get(APPLICANTS)
    assert [a.pk for a in first.context["applicants"]] == [newest.pk, *[a.pk for a in made[:0:-1]]]
    rest = client.get(APPLICANTS + "?" + first.context["next_page_query"])
    assert [a.pk for a in rest.context["applicants"]] == [made[0].pk]
    assert rest.context["next_page_query"] == "" and not rest.context["is_first_page"]


@pytest.mark.django_db
def test_it_keeps_the_filters_on_the_next_page(client, personas):
    made = applications(personas.florence, application_selectors.PAGE_SIZE + 1)
    client.force_login(personas.alice)
    first = client.get(QUEUE + "?sector=ict&sponsored=no")
    query = first.context["next_page_query"]
    assert "sector=ict" in query and "sponsored=no" in query and "after=" in query
    rest = client.get(QUEUE + "?" + query)
    assert [a.pk for a in rest.context["applications"]] == [made[-1].pk]
    assert rest.context["first_page_query"] == "sector=ict&sponsored=no"


@pytest.mark.django_db
def test_it_pages_the_invitations_by_their_own_cursor(client, personas):
    from members.services.invitations import _create

    size = invitation_selectors.PAGE_SIZE
    with scope(network=personas.florence):
        made = _create(
            network=personas.florence, inviter=personas.alice, by_coordinator=True,
            invitees=[Invitee(f"p{n}@example.com", f"P {n}") for n in range(size + 1)],
            batch=InvitationBatch.objects.create(network=personas.florence, status="confirmed"),
        )  # fmt: skip
    client.force_login(personas.alice)
    first = client.get(INVITATIONS + "?state=queued")
    assert len(first.context["invitations"]) == size
    assert first.context["next_before"] == str(first.context["invitations"][-1].pk)
    rest = client.get(INVITATIONS + "?" + first.context["next_page_query"])
    assert [i.pk for i in rest.context["invitations"]] == [min(i.pk for i in made)]
    assert rest.context["next_page_query"] == ""


def test_it_writes_page_links_in_one_template():
    cursor_link = re.compile(r"[?&](?:before|after)=")
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "_pages.html" and cursor_link.search(path.read_text())
    ]
    assert offenders == []
    pages = [p for p in TEMPLATES.rglob("*.html") if '{% include "_pages.html" %}' in p.read_text()]
    # directory, applicants, review queue, invitations, the coordinators' roster, and from ties
    # the board, the introductions I made and the coordinators' members without a connection
    assert len(pages) == 8
