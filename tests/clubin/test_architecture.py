"""The layering DESIGN.md draws, checked on the source so that a stray import fails the suite."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clubin", "networks", "members", "events")

# Who may import whom: stats → events → members → networks, and everyone → clubin.mail.
FORBIDDEN = {
    "clubin/mail": ("networks", "members", "events", "clubin.stats"),
    "networks": ("members", "events", "clubin.stats"),
    "members": ("events", "clubin.stats"),
    "events": ("clubin.stats",),
}
# Cross-network code stands out: only these files may switch tenant scoping off.
SCOPES_DISABLED_ALLOWED = {
    "networks/selectors.py",  # named federation and "my own" selectors
    "networks/middleware.py",  # the admin, staff's cross-network tool
    "members/selectors/applications.py",  # my own applications; reviewer warnings (yes/no)
    "members/selectors/invitations.py",  # a token names its network; my own invitations
    "members/services/invitations.py",  # an opt-out forgets the address in every network
    "members/management/commands/load_demo.py",  # loads every network at once
    "members/management/commands/bench_invitations.py",  # removes its own bench network
    "members/selectors/cards.py",  # the holder's own cards, and the public check of a signed card
    "events/selectors.py",  # my tickets; the federation home; a viewer's networks; announcements
    "clubin/stats/services.py",  # rollups are computed across the federation
    "clubin/stats/selectors.py",  # and read across it, as aggregates only
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


def test_it_keeps_dependencies_flowing_one_way():
    wrong = []
    for folder, banned in FORBIDDEN.items():
        for path in _sources(folder):
            for name in _imports(path):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_it_disables_scoping_only_in_named_places():
    users = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in _sources(app)
        if "scopes_disabled" in path.read_text()
    }
    assert users <= SCOPES_DISABLED_ALLOWED
    assert users  # the walk itself works


def test_it_has_no_model_form_with_all_fields():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in _sources(app)
        if '"__all__"' in path.read_text() or "exclude = [" in path.read_text()
    ]
    assert offenders == []
