"""The layers of docs/architecture.md, checked on the source: a stray import fails the suite."""

import ast
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clubin", "networks", "members", "events", "ties", "outbox", "demo", "benchmarks")

# Top to bottom: each layer may import the ones below it, never one above. ``clubin`` is the
# project (settings, URLs, Celery) with the federation level (stats, ops); ``ties`` (business
# between members) reads profiles, memberships and check-ins, and nothing below it knows it;
# the outbox, which every app uses to send mail, imports none of them.
LAYERS = ("clubin", "ties", "events", "members", "networks", "outbox")
# The outbox's tables are its own: other code goes through outbox.services and outbox.selectors.
OUTBOX_PRIVATE = ("outbox.models", "outbox.migrations")
# Everything in the repository that is not tests: the apps, demo data and benchmarks.
OUTSIDE_OUTBOX = ("clubin", "ties", "events", "members", "networks", "benchmarks", "demo")
QUEUE_FUNCTIONS = {"email_queue", "email_queue_many", "outbox_add"}
# Above every layer, tools over the whole product: the demo data and the benchmarks. They may
# import any app; no app imports them, and neither imports the other.
TOOLS = ("demo", "benchmarks")
# Their commands live there and nowhere else: the shipped apps carry no demo and no benchmark.
TOOL_COMMANDS = {
    "load_demo": "demo",
    "load_demo_events": "demo",
    "demo_logins": "demo",
    "bench_approve": "benchmarks",
    "bench_invitations": "benchmarks",
    "bench_suggestions": "benchmarks",
}
# Cross-network code stands out: only these files may switch tenant scoping off.
SCOPES_DISABLED_ALLOWED = {
    "networks/selectors.py",  # named federation and "my own" selectors
    "networks/middleware.py",  # the admin, staff's cross-network tool
    "members/selectors/applications.py",  # my own applications; reviewer warnings (yes/no)
    "members/selectors/invitations.py",  # a token names its network; my own invitations
    "members/services/invitations.py",  # an opt-out forgets the address in every network
    "demo/management/commands/load_demo.py",  # loads every network at once
    "benchmarks/management/commands/bench_invitations.py",  # removes its own bench network
    "members/selectors/cards.py",  # the holder's own cards, and the public check of a signed card
    "members/selectors/visibility.py",  # whose profile I see: the networks we share, any network
    "events/selectors.py",  # my tickets; the federation home; a viewer's networks; announcements
    "ties/selectors/board.py",  # federation-wide asks and offers, read from every network's board
    "ties/services/board.py",  # answering a federation-wide post from another network's board
    "ties/selectors/introductions.py",  # /me/ lists introductions from every network of mine
    "ties/services/introductions.py",  # answered under /me/, outside any network's scope
    "ties/selectors/meetings.py",  # /me/'s one-to-ones; check-ins of co-hosted events
    "ties/services/meetings.py",  # confirmed under /me/; check-ins of co-hosted events
    "ties/selectors/suggestions.py",  # people worth meeting, in my networks and across them
    "clubin/stats/services.py",  # rollups are computed across the federation
    "clubin/stats/selectors.py",  # and read across it, as aggregates only
    "ties/selectors/referrals.py",  # /me/referrals/: my referrals from every network
    "ties/services/referrals.py",  # re-reading a referral, locked, that its network gave
}


def _sources(folder: str):
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _is(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def test_it_keeps_dependencies_flowing_one_way():
    wrong = []
    for position, layer in enumerate(LAYERS):
        above = LAYERS[:position]
        sources = list(_sources(layer))
        assert sources, f"no Python files in {layer}/"  # the walk itself works
        for path in sources:
            for name in _imports(path):
                if any(_is(name, higher) for higher in above):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_it_leaves_the_outbox_rows_to_the_outbox():
    assert (ROOT / "outbox" / "models.py").exists()  # the rule names the real module
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in OUTSIDE_OUTBOX
        for path in _sources(folder)
        for name in _imports(path)
        if any(_is(name, private) for private in OUTBOX_PRIVATE)
    ]
    private = [
        f"{path.relative_to(ROOT)} imports {name} from the outbox"
        for folder in OUTSIDE_OUTBOX
        for path in _sources(folder)
        for name in _private_names_from_outbox(path)
    ]
    assert wrong == []
    assert private == []


def _private_names_from_outbox(path: Path) -> set[str]:
    return {
        alias.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and _is(node.module, "outbox")
        for alias in node.names
        if alias.name.startswith("_")
    }


def test_it_has_every_caller_choose_what_a_repeated_key_does():
    silent = []
    for folder in OUTSIDE_OUTBOX:
        for path in _sources(folder):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and _called(node) in QUEUE_FUNCTIONS
                    and "on_duplicate" not in {keyword.arg for keyword in node.keywords}
                ):
                    silent.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert silent == []


def _called(call: ast.Call) -> str:
    return getattr(call.func, "id", getattr(call.func, "attr", ""))


def test_it_keeps_the_demo_and_the_benchmarks_above_every_app():
    wrong = []
    for folder in (*LAYERS, *TOOLS):
        others = [tool for tool in TOOLS if tool != folder]
        for path in _sources(folder):
            for name in _imports(path):
                if any(_is(name, tool) for tool in others):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
    where = {name: app for name, app in get_commands().items() if name in TOOL_COMMANDS}
    assert where == TOOL_COMMANDS
    for layer in LAYERS:
        commands = ROOT.joinpath(layer).rglob("management/commands/*.py")
        assert not [c for c in commands if c.stem.startswith(("load_demo", "bench_"))], layer


def test_it_disables_scoping_only_in_named_places():
    users = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in _sources(app)
        if "scopes_disabled" in path.read_text()
    }
    assert users <= SCOPES_DISABLED_ALLOWED
    assert users  # the walk itself works


def test_it_leaves_entering_a_scope_to_the_job_runner():
    """A periodic job hands its per-network work to networks.jobs.for_each_network, which
    gives each network its scope and transaction: services and tasks never loop over networks
    entering scopes themselves (each did once, stopping at the first network that failed)."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in _sources(app)
        if ("services" in path.parts or path.stem in ("services", "tasks"))
        and "scope(network=" in path.read_text()
    ]
    assert offenders == []


def test_it_has_no_model_form_with_all_fields():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in _sources(app)
        if '"__all__"' in path.read_text() or "exclude = [" in path.read_text()
    ]
    assert offenders == []
