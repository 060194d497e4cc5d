"""The coordinator's workspace on a 360 px phone: the home, the roster and the review queue fit
the screen and pass the accessibility audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.services.profiles import profile_update
from tests.e2e.conftest import needs_chromium
from tests.e2e.helpers import Audit, fits_the_screen, log_in
from tests.members.factories import applicant, application, member

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def test_it_fits_the_workspace_on_a_phone(live_server, personas, phone):
    for n in range(3, 15):
        user = applicant(n)
        profile_update(
            user=user, company=f"Una azienda dal nome lungo {n} S.r.l.", sector="ict",
            city="Firenze", linkedin_url=f"https://www.linkedin.com/in/persona-{n}",
        )  # fmt: skip
        member(personas.florence, user, card=n, valid_until=timezone.localdate() + timedelta(n))
    for n in range(20, 24):
        application(personas.florence, applicant(n))
    base = live_server.url
    audit = Audit()
    log_in(phone, base, "alice@example.com")
    for path in (
        "/florence/manage/",
        "/florence/manage/members/",
        "/florence/manage/members/?renewal=due&q=azienda",
        "/florence/manage/applications/",
    ):
        phone.goto(base + path)
        audit.check(phone)
        assert fits_the_screen(phone), path
    assert "FL-000003" in phone.goto(base + "/florence/manage/members/").text()
    audit.assert_clean()
