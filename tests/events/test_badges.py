"""Name badges for the check-in desk: the PDF read back, its QR codes, who may print it."""

import io
import re
from datetime import timedelta

import pytest
import segno
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from events import badges
from events.models import Registration
from events.selectors import BadgeRow, badge_rows
from events.services.checkin import Outcome, checkin_scan, walk_in_add
from events.services.events import event_cancel
from events.services.registrations import (
    registration_cancel,
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from events.tickets import ticket_code_new, ticket_signed
from members.services.profiles import profile_update
from tests.conftest import REQUEST_OVERHEAD, make_user
from tests.events.factories import make_event, starting_soon
from tests.members.factories import member

pytestmark = pytest.mark.django_db

# Everyone with a place (or who walked in), in the order the badges come: by last name.
EXPECTED = [
    ("Giulia Amica", "Ospite", "FlorenceIN"),  # Bob's guest
    ("Alice Arnolfi", "Arnolfi & Figli", "FlorenceIN"),
    ("Bob Bellini", "Bellini Srl", "FlorenceIN"),
    ("Gianni Ospite", "Ospiti SpA", "FlorenceIN"),  # registered by email, without an account
    ("Zoë Ünal", "Ünal GmbH", "VenetoIN"),  # a member of the co-host
    ("Walter Walkin", "Porta Srl", "FlorenceIN"),  # walked in
    ("Łukasz Żółć", "Żółć Sp. z o.o.", "FlorenceIN"),
    ("Ἀθηνᾶ Παλλάς", "Ospite", "FlorenceIN"),  # an account, member of no host
    ("Ирина Петрова", "Петрова и партнёры", "FlorenceIN"),
]


def _url(event, slug="florence", **query):
    url = reverse("event_badges", kwargs={"network_slug": slug, "event_id": event.pk})
    return url + "".join(f"?only={value}" for value in query.values())


def _person(email, first, last, company="", network=None, card=0):
    user = make_user(email, first_name=first, last_name=last)
    profile_update(user=user, company=company)
    if network is not None:
        member(network, user, card=card)
    return user


@pytest.fixture
def evening(personas):
    """Nine people expected at a public evening co-hosted with VenetoIN, one who cancelled
    and one on the waitlist."""
    florence, veneto = personas.florence, personas.veneto
    event = make_event(
        florence, capacity=8, starts_at=starting_soon(), visibility="public",
        guests_per_member=1, cohosts=[veneto],
    )  # fmt: skip
    profile_update(user=personas.alice, company="Arnolfi & Figli")
    profile_update(user=personas.bob, company="Bellini Srl")
    people = [
        personas.alice,
        _person("lukasz@example.com", "Łukasz", "Żółć", "Żółć Sp. z o.o.", florence, 10),
        _person("zoe@example.com", "Zoë", "Ünal", "Ünal GmbH", veneto, 10),
        _person("irina@example.com", "Ирина", "Петрова", "Петрова и партнёры", florence, 11),
        _person("athena@example.com", "Ἀθηνᾶ", "Παλλάς"),
    ]
    carla = _person("carla@example.com", "Carla", "Cancellata", "Via Srl", florence, 12)
    wanda = _person("wanda@example.com", "Wanda", "Waitlist", "Coda Srl", florence, 13)
    with scope(network=florence):
        gone, _ = registration_register(event=event, user=carla)
        registration_cancel(registration=gone)
        registration_register(event=event, user=personas.bob, guest_names=["Giulia Amica"])
        for user in people:
            registration_register(event=event, user=user)
        guest = registration_register_guest(
            event=event, name="Gianni Ospite", email="gianni@example.com", company="Ospiti SpA"
        )
        assert guest is not None
        registration_confirm_guest(event=event, registration_id=guest.pk)
        waiting, _ = registration_register(event=event, user=wanda)
        assert waiting.status == Registration.Status.WAITLISTED
        walk_in_add(
            event=event, name="Walter Walkin", email="walter@example.com", company="Porta Srl",
            by=personas.alice,
        )  # fmt: skip
    return event


def _pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _drawn_qr_codes(reader: PdfReader) -> list[tuple[tuple[int, ...], ...]]:
    """Every QR code in the PDF, rebuilt from its rectangles: ``events.badges.draw_qr`` draws
    each in its own graphics state, one whole-module rectangle per run of dark modules."""
    codes = []
    for page in reader.pages:
        runs: list[tuple[int, int, int]] | None = None
        contents = page.get_contents()
        assert contents is not None
        for operands, operator in contents.operations:
            if operator == b"q":
                runs = []
            elif operator == b"re" and runs is not None:
                x, y, width, height = operands
                if all(float(value).is_integer() for value in operands) and height == 1:
                    runs.append((int(x), int(y), int(width)))
            elif operator == b"Q" and runs:
                codes.append(_matrix(runs))
                runs = None
    return codes


def _matrix(runs: list[tuple[int, int, int]]) -> tuple[tuple[int, ...], ...]:
    # A QR code's finder patterns touch its last row and its last column.
    size = max(x + width for x, _y, width in runs)
    rows = [[0] * size for _ in range(size)]
    for x, y, width in runs:
        rows[y][x : x + width] = [1] * width
    return tuple(tuple(row) for row in rows)


def _segno(payload: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in segno.make(payload, error="m").matrix)


def test_it_prints_everyone_expected_and_nobody_else(client, personas, evening):
    client.force_login(personas.alice)
    reader = _pdf(client.get(_url(evening)))
    assert len(reader.pages) == 2  # 9 people, 8 to a page
    text = _text(reader)
    for name, company, network in EXPECTED:
        assert name in text
        assert company in text
        assert network in text
    assert "Cancellata" not in text
    assert "Waitlist" not in text
    names = [name for name, _company, _network in EXPECTED]
    assert sorted(names, key=text.index) == names  # by last name, accents and scripts apart


def test_it_embeds_dejavu_sans_and_no_other_font(client, personas, evening):
    client.force_login(personas.alice)
    pdf = client.get(_url(evening)).content
    fonts = set(re.findall(rb"/BaseFont /(?:[A-Z]{6}\+)?([\w-]+)", pdf))
    assert fonts == {b"DejaVuSans", b"DejaVuSans-Bold"}
    assert pdf.count(b"/FontFile2") == 2  # embedded (a subset of each), not just named


def test_it_prints_the_ticket_qr_code_the_door_accepts(client, personas, evening):
    client.force_login(personas.alice)
    drawn = _drawn_qr_codes(_pdf(client.get(_url(evening))))
    with scope(network=personas.florence):
        expected = Registration.objects.filter(
            event=evening, status__in=["confirmed", "walk_in"]
        ).order_by("pk")
        tickets = {_segno(ticket_signed(code=r.ticket_code)): r for r in expected}
        assert len(drawn) == len(tickets) == 9
        assert set(drawn) == set(tickets)
        # What the badge encodes is what the scanner reads from a ticket.
        bob = next(r for r in tickets.values() if r.user_id == personas.bob.pk)
        scanned = checkin_scan(
            event=evening, scanned=ticket_signed(code=bob.ticket_code), by=personas.alice
        )
        assert scanned.outcome == Outcome.ARRIVED


def test_it_reprints_one_badge(client, personas, evening):
    client.force_login(personas.alice)
    with scope(network=personas.florence):
        irina = Registration.objects.get(event=evening, email="irina@example.com")
    response = client.get(_url(evening, only=irina.pk))
    reader = _pdf(response)
    assert len(reader.pages) == 1
    text = _text(reader)
    assert "Ирина Петрова" in text
    assert "Bob Bellini" not in text
    assert _drawn_qr_codes(reader) == [_segno(ticket_signed(code=irina.ticket_code))]
    assert f"badge-{irina.pk}.pdf" in response["Content-Disposition"]


def test_it_answers_404_to_an_only_that_names_no_badge(client, personas, evening):
    other = make_event(personas.florence, title="Un'altra serata")
    with scope(network=personas.florence):
        cancelled = Registration.objects.get(event=evening, status="cancelled")
        waiting = Registration.objects.get(event=evening, status="waitlisted")
        elsewhere, _ = registration_register(event=other, user=personas.bob)
    client.force_login(personas.alice)
    for only in ("", "abc", "-1", "1.5", "²", "9" * 30, cancelled.pk, waiting.pk, elsewhere.pk):
        assert client.get(_url(evening, only=only)).status_code == 404, only


def test_it_names_the_file_after_the_event_and_its_day(client, personas):
    event = make_event(personas.florence, title="Cena d'estate: 20 anni!")
    greek = make_event(personas.florence, title="Ἀθηνᾶ")
    client.force_login(personas.alice)
    day = timezone.localtime(event.starts_at).date().isoformat()
    response = client.get(_url(event))
    assert response["Content-Disposition"] == (
        f'attachment; filename="cena-destate-20-anni-{day}-badges.pdf"'
    )
    assert client.get(_url(greek))["Content-Disposition"] == (
        f'attachment; filename="event-{day}-badges.pdf"'
    )


def test_it_keeps_badges_for_the_coordinators_of_the_hosts(client, personas):
    event = make_event(personas.florence)
    cohosted = make_event(personas.florence, cohosts=[personas.veneto])
    assert client.get(_url(event)).status_code == 302  # anonymous: to the login page
    assert "/accounts/login/" in client.get(_url(event))["Location"]
    client.force_login(personas.bob)
    assert client.get(_url(event)).status_code == 403
    client.force_login(personas.dave)
    assert client.get(_url(event)).status_code == 404
    client.force_login(personas.charlie)
    assert client.get(_url(event)).status_code == 404
    assert client.get(_url(event, slug="veneto")).status_code == 404
    assert client.get(_url(cohosted, slug="veneto")).status_code == 200
    client.force_login(personas.alice)
    assert client.get(_url(event)).status_code == 200


def test_it_still_prints_for_a_past_or_cancelled_event(client, personas, evening):
    with time_machine.travel(evening.ends_at + timedelta(days=30)):
        client.force_login(personas.alice)
        assert "Bob Bellini" in _text(_pdf(client.get(_url(evening))))
    upcoming = make_event(personas.florence, title="Annullata")
    with scope(network=personas.florence):
        registration_register(event=upcoming, user=personas.bob)
        event_cancel(event=upcoming)
    client.force_login(personas.alice)
    # A cancelled event keeps its registrations as a record: printing them harms nobody.
    assert "Bob Bellini" in _text(_pdf(client.get(_url(upcoming))))


def test_it_says_so_when_nobody_has_a_place_yet(client, personas):
    event = make_event(personas.florence)
    client.force_login(personas.alice)
    reader = _pdf(client.get(_url(event)))
    assert len(reader.pages) == 1
    assert "Nessuno ha ancora un posto confermato per Aperitivo di FlorenceIN." in _text(reader)
    assert _drawn_qr_codes(reader) == []


def test_it_names_each_persons_home_network_among_the_hosts(personas):
    florence, veneto = personas.florence, personas.veneto
    zoe = _person("zoe@example.com", "Zoë", "Ünal", "", veneto, 10)
    member(veneto, personas.bob, card=11)  # Bob belongs to both hosts
    only_florence = make_event(florence, visibility="federation")
    both = make_event(florence, visibility="federation", cohosts=[veneto])
    with scope(network=florence):
        for event in (only_florence, both):
            registration_register(event=event, user=zoe)
            registration_register(event=event, user=personas.bob)
        alone = {row.name: row for row in badge_rows(event=only_florence)}
        hosted = {row.name: row for row in badge_rows(event=both)}
    assert (alone["Zoë Ünal"].network, alone["Zoë Ünal"].is_guest) == ("FlorenceIN", True)
    assert (hosted["Zoë Ünal"].network, hosted["Zoë Ünal"].is_guest) == ("VenetoIN", False)
    assert hosted["Bob Bellini"].network == "FlorenceIN"  # the organiser, when it is theirs


def _crowd(network, event, count):
    with scope(network=network):
        for n in range(count):
            user = make_user(f"folla{n}@example.com", first_name=f"Nome{n}", last_name="Folla")
            member(network, user, card=100 + n)
            registration_register(event=event, user=user, guest_names=[f"Ospite {n}"])


@pytest.mark.parametrize("size", [3, 30])
def test_it_prints_within_the_query_budget(client, personas, size, django_assert_max_num_queries):
    event = make_event(
        personas.florence, capacity=None, guests_per_member=1, cohosts=[personas.veneto]
    )
    _crowd(personas.florence, event, size)
    client.force_login(personas.alice)
    client.get("/florence/")  # warm the session
    # the event; the registrations with their people and profiles; their host memberships
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 3):
        reader = _pdf(client.get(_url(event)))
    assert len(reader.pages) == -(-2 * size // 8)


def test_it_links_the_badges_from_the_event_and_the_door(client, personas, evening):
    client.force_login(personas.alice)
    page = client.get(reverse("manage_event", args=["florence", evening.pk])).content.decode()
    assert _url(evening) in page
    door = client.get(reverse("event_checkin", args=["florence", evening.pk])).content.decode()
    assert _url(evening) in door
    with scope(network=personas.florence):
        bob = Registration.objects.get(event=evening, user=personas.bob)
    search = reverse("event_checkin_search", args=["florence", evening.pk])
    found = client.get(search, {"q": "bellini"}).content.decode()
    assert f"{_url(evening)}?only={bob.pk}" in found
    listed = client.get(search, {"q": "waitlist"}).content.decode()
    assert "Wanda Waitlist" in listed
    assert "?only=" not in listed  # no badge without a place


def test_it_fits_long_names_and_companies_on_the_badge():
    style = badges.NAME
    short = badges.fit("Zoë Ünal", style, badges.TEXT_WIDTH)
    assert short == badges.Fitted(style.largest, ["Zoë Ünal"])
    long = "Maria Teresa Bianchi de' Medici di Toscana e Lorena"
    wrapped = badges.fit(long, style, badges.TEXT_WIDTH)
    assert len(wrapped.lines) == 2
    assert " ".join(wrapped.lines) == long  # nothing lost when it fits on two lines
    endless = "Wolfeschlegelsteinhausenbergerdorff " * 6 + "Featherstonehaugh-Cholmondeley"
    company = badges.COMPANY
    for fitted, font, width in [
        (wrapped, style.font, badges.TEXT_WIDTH),
        (badges.fit(endless, style, badges.TEXT_WIDTH), style.font, badges.TEXT_WIDTH),
        (badges.fit(endless, company, badges.BESIDE_QR), company.font, badges.BESIDE_QR),
    ]:
        assert 1 <= len(fitted.lines) <= 2
        for line in fitted.lines:
            assert pdfmetrics.stringWidth(line, font, fitted.size) <= width
    assert badges.fit(endless, style, badges.TEXT_WIDTH).lines[-1].endswith("…")
    hyphenated = badges.wrap("Featherstonehaugh-Cholmondeley", style.font, 20, 250)
    assert hyphenated == ["Featherstonehaugh-", "Cholmondeley"]


def _rows(count: int) -> list[BadgeRow]:
    names = ["Łukasz Żółć", "Zoë Ünal", "Ἀθηνᾶ Παλλάς", "Ирина Петрова", "Maria Teresa " * 5]
    return [
        BadgeRow(
            registration_id=n,
            name=names[n % len(names)],
            company="Società Generale " * (n % 4),
            network="FlorenceIN",
            is_guest=n % 4 == 0,
            ticket_code=ticket_code_new(),
        )
        for n in range(count)
    ]


def test_it_renders_500_badges_on_63_pages():
    # How long it takes is `manage.py bench_badges` (a benchmark is a command, not a test).
    pdf = badges.badges_pdf(rows=_rows(500), title="Aperitivo di FlorenceIN", subtitle="12 marzo")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 63
