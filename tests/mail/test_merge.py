"""Mail merge: a fan-out renders its template once with placeholders and fills in each person.

Every template the worker renders that way is checked here against a full render for each
recipient, byte for byte; a placeholder the template altered (so the merge missed it) raises.
"""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from events.models import Event
from events.services.events import event_announce
from members.services.invitations import Invitee, invitation_reminders_send_all, invitation_send
from members.services.profiles import profile_update
from outbox import services
from outbox.models import OutboxEmail
from tests.conftest import make_user
from tests.events.factories import make_event
from tests.members.factories import member

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

# The templates some service queues with render_later=True: the worker merges these.
MERGED = {"invitation", "invitation-reminder", "event-announcement"}


def _queue_every_merged_template(personas) -> None:
    """Invitations (with a name full of markup, and none), their reminders, an announcement."""
    with scope(network=personas.florence):
        for email, name in [("anna@example.com", "Anna <b>Rossi</b> & co"), ("b@example.com", "")]:
            invitation_send(
                network=personas.florence,
                inviter=personas.alice,
                invitee=Invitee(email, name, "Vieni <presto>"),
                by_coordinator=True,
            )
    OutboxEmail.objects.filter(template="invitation").update(status=OutboxEmail.Status.SENT)
    personas.florence.invitation_reminder_days = 5
    personas.florence.save()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert invitation_reminders_send_all() == 2
    for email, first_name in [("bob.news@example.com", "Bob & <i>Co</i>"), ("x@example.com", "")]:
        person = make_user(email, first_name=first_name)
        profile_update(user=person, event_news=True)
        member(personas.florence, person, card=60 + len(first_name))
    event = make_event(personas.florence, visibility=Event.Visibility.NETWORK)
    with scope(network=personas.florence):
        assert event_announce(event=event) == 2


def test_it_merges_every_fanout_template_exactly_as_a_full_render_would(personas):
    _queue_every_merged_template(personas)
    merge = services.MailMerge()
    rows = list(OutboxEmail.objects.exclude(context=None).order_by("id"))
    for row in rows:
        context = {**(row.context or {}), "optout_url": services.optout_url(email=row.to)}
        direct = services.email_render(
            template=row.template, context=context, language=services.row_language(row)
        )
        assert merge.render(row, context) == direct, row.template
    assert {row.template for row in rows} == MERGED


def test_it_lists_every_template_queued_for_merging():
    """A new render_later fan-out must join MERGED above, and so get the test above."""
    later = []
    for folder in ("members", "events", "networks", "clubin"):
        for path in (ROOT / folder).rglob("*.py"):
            if "management" in path.parts:  # demo and benchmark commands
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.keyword) and node.arg == "render_later":
                    later.append(path.relative_to(ROOT).as_posix())
    # members: invitation and invitation-reminder (one builder); events: the announcement.
    assert sorted(later) == ["events/services/events.py", "members/services/invitations.py"]


@pytest.fixture
def shouting_template(tmp_path, settings):
    """A template that changes a personal value (|upper), which a merge cannot substitute."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "shout-subject.txt").write_text("Hello")
    (folder / "shout-body.txt").write_text("HELLO {{ person_name|upper }}")
    (folder / "shout-body.html").write_text("<p>{{ person_name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    context = {"person_name": "anna", services.PERSONAL_KEY: ["person_name"]}
    return OutboxEmail(template="shout", language="en", context=context), context


def test_it_raises_when_a_placeholder_survives_the_merge(shouting_template):
    row, context = shouting_template
    with pytest.raises(services.MailMergeError, match="shout"):
        services.MailMerge().render(row, context)


def test_it_renders_in_full_in_production_when_a_placeholder_survives(
    shouting_template, settings, caplog
):
    settings.OUTBOX_MERGE_STRICT = False
    row, context = shouting_template
    subject, text, html = services.MailMerge().render(row, context)
    assert (subject, text, html) == ("Hello", "HELLO ANNA", "<p>anna</p>")
    assert "placeholder" in caplog.text
