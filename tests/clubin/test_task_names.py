"""Task names are part of the wire format: the beat schedule and messages already queued in Redis
name tasks by string, so moving a module must not rename a task."""

import ast
from pathlib import Path

from django.conf import settings

from clubin.celery import app

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("clubin", "networks", "members", "events", "outbox", "benchmarks")

# The names Celery generated from the module paths before any task named itself: never change one.
EXPECTED = {
    "clubin.mail.tasks.outbox_send",
    "clubin.mail.tasks.outbox_sweep",
    "clubin.stats.tasks.stats_refresh_recent",
    "clubin.stats.tasks.stats_rebuild",
    "events.tasks.event_reminders_send",
    "members.tasks.applications_digest_send",
    "members.tasks.applications_reminder_send",
    "members.tasks.renewal_reminders_send",
    "members.tasks.memberships_lapse",
    "members.tasks.invitation_reminders_send",
}


def _task_decorators():
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef):
                    for deco in node.decorator_list:
                        target = deco.func if isinstance(deco, ast.Call) else deco
                        if getattr(target, "id", getattr(target, "attr", "")) == "shared_task":
                            yield path.relative_to(ROOT), node.name, deco


def test_it_names_every_task_explicitly():
    unnamed = [
        f"{path}: {function}"
        for path, function, deco in _task_decorators()
        if not isinstance(deco, ast.Call) or "name" not in {k.arg for k in deco.keywords}
    ]
    assert unnamed == []
    assert len(list(_task_decorators())) >= len(EXPECTED)  # the walk itself finds the tasks


def test_it_registers_our_tasks_under_their_stable_names():
    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert EXPECTED - ours == set()


def test_it_schedules_only_registered_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= EXPECTED
