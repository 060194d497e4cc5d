"""In a real browser: federation staff read the dashboard, whose charts draw, and download its
CSV; a coordinator reads their network's figures on a phone."""

import csv
import io
from pathlib import Path

import pytest
from django_scopes import scope

from clubin.stats.services import stats_rebuild
from events.services.registrations import registration_register
from members.services.applications import application_decide
from members.services.invitations import Invitee, invitation_send
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, desktop, fits_the_screen, log_in
from tests.events.factories import make_event
from tests.members.factories import applications

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-applications", "chart-funnel", "chart-members"]


def _a_little_history(personas) -> None:
    florence, veneto = personas.florence, personas.veneto
    first, second, _third = applications(florence, 3)
    applications(veneto, 1, start=3)
    with scope(network=florence):
        application_decide(
            network=florence, application_id=first.pk, action="approved", decided_by=personas.alice
        )
        application_decide(
            network=florence, application_id=second.pk, action="rejected", decided_by=personas.alice
        )
        invitation_send(
            network=florence, inviter=personas.alice, by_coordinator=True,
            invitee=Invitee("nuovo@example.com", "Nuovo Socio"),
        )  # fmt: skip
        event = make_event(florence, by=personas.alice, title="Cena di FlorenceIN")
        registration_register(event=event, user=personas.bob)
    stats_rebuild()


def _charts_drawn(page) -> None:
    page.wait_for_function(
        "window.clubinCharts && Object.keys(window.clubinCharts).length === 3"
        " && Object.values(window.clubinCharts).every((c) => !Chart.animator.running(c))"
    )
    assert sorted(page.evaluate("Object.keys(window.clubinCharts)")) == CHARTS
    for chart in CHARTS:
        box = page.locator(f"canvas#{chart}").bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, (chart, box)
        assert page.evaluate(f"document.getElementById('{chart}').width") > 0


def test_it_draws_the_federation_dashboard_and_exports_it(live_server, browser, phone, personas):
    _a_little_history(personas)
    base = live_server.url
    audit = Audit()
    errors: list[str] = []

    wide, desk = desktop(browser)
    desk.on("pageerror", lambda error: errors.append(str(error)))
    log_in(desk, base, "fiona@example.com")
    desk.click("header a[href='/federation/']")
    desk.wait_for_url(f"{base}/federation/")
    assert desk.locator("h1", has_text="La federazione in sintesi").is_visible()
    _charts_drawn(desk)
    cards = desk.locator(".stat-card")
    assert cards.count() == 3  # the federation, then each network
    members = cards.first.locator("[data-figure=members_active]").inner_text()
    assert members.strip() == "4"  # FlorenceIN's 3 and Charlie
    table = desk.locator("main table").first
    assert not table.is_visible()  # the full table is on demand
    desk.click("details.full-table > summary")
    assert table.get_by_text("FlorenceIN").is_visible()
    assert table.get_by_text("VenetoIN").is_visible()
    audit.check(desk)

    with desk.expect_download() as download:
        desk.click("a[href^='/federation/stats.csv']")
    assert download.value.suggested_filename == "clubin-stats.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0][0] == "# as_of"
    header = rows[1]
    assert header[:4] == ["slug", "name", "region", "status"]
    assert {"members_active", "applications", "approved", "invitations_sent"} <= set(header)
    by_slug = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(by_slug) == {"florence", "veneto", ""}  # "" is the federation's totals
    assert by_slug["florence"]["applications"] == "3"
    assert by_slug["florence"]["approved"] == "1"
    assert by_slug["florence"]["members_active"] == "3"
    assert by_slug[""]["applications"] == "4"
    wide.close()

    # A coordinator's own figures, on a phone.
    phone.on("pageerror", lambda error: errors.append(str(error)))
    log_in(phone, base, "alice@example.com")
    phone.goto(f"{base}/florence/manage/stats/")
    assert phone.locator("h1", has_text="FlorenceIN").is_visible()
    _charts_drawn(phone)
    for chart in CHARTS:  # readable on a phone: not squashed under its legend
        box = phone.locator(f"canvas#{chart}").bounding_box()
        assert box and box["height"] >= 200, (chart, box)
    assert fits_the_screen(phone)
    audit.check(phone)

    assert errors == []
    audit.assert_clean()
