"""Typed requests: views read ``request.network``, ``request.membership`` and ``request.user``
through the classes in ``networks.http`` and ``members.http``, never through a ``type: ignore``,
and no view's annotation claims more than the guard in front of it ensures."""

import ast
import inspect
import io
import re
import tokenize
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from members.http import MemberNetworkRequest, SignedInNetworkRequest, SignedInRequest
from networks.access import Role
from networks.http import NetworkRequest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("clubin", "networks", "members", "events", "outbox")
REQUEST_ATTRIBUTE = re.compile(r"\brequest\.\w")


def _python_files() -> Iterator[Path]:
    for folder in (*PROJECT, "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _ignores(source: str) -> Iterator[int]:
    """The line of every ``# type: ignore`` comment (a string that says so is no comment)."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and "type: ignore" in token.string:
            yield token.start[0]


def _statement_lines(tree: ast.Module, line: int, lines: list[str]) -> str:
    """The whole simple statement around ``line``: an ignore on the last line of a call that
    spans several still covers the ``request.user`` a line above it."""
    spans = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not hasattr(node, "body")
    ]
    around = [(start, end) for start, end in spans if start <= line <= end]
    start, end = min(around, key=lambda span: span[1] - span[0], default=(line, line))
    return "\n".join(lines[start - 1 : end])


def ignores_on_request_attributes(source: str) -> list[int]:
    tree, lines = ast.parse(source), source.splitlines()
    return [
        line
        for line in _ignores(source)
        if REQUEST_ATTRIBUTE.search(_statement_lines(tree, line, lines))
    ]


def test_it_keeps_type_ignores_off_request_attributes():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files()
        for line in ignores_on_request_attributes(path.read_text())
    ]
    assert offenders == []


def test_it_spots_an_ignore_on_a_request_attribute():
    """The scan above finds what it looks for, on one line or at the end of a longer call."""
    one_line = "network = request.network  # type: ignore[attr-defined]\n"
    spanning = "f(\n    user=request.user,\n    note='',\n)  # type: ignore[arg-type]\n"
    elsewhere = "x = thing.attr  # type: ignore[attr-defined]\nrequest.user\n"
    assert ignores_on_request_attributes(one_line) == [1]
    assert ignores_on_request_attributes(spanning) == [4]
    assert ignores_on_request_attributes(elsewhere) == []
    assert ignores_on_request_attributes("s = '# type: ignore request.user'\n") == []


# --- Every view is annotated with what its guard ensures -----------------------------------
def _views(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Callable]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = entry.callback
            if view.__module__.split(".")[0] in PROJECT:
                yield prefix + str(entry.pattern), view


def project_views() -> list[tuple[str, Callable]]:
    return list(_views(get_resolver()))


def request_class(view: Callable) -> type:
    function = inspect.unwrap(view)
    first = next(iter(inspect.signature(function).parameters))
    return typing.get_type_hints(function)[first]


def _claims(route: str, view: Callable) -> list[str]:
    """What the view's annotation says that its URL and role do not back."""
    role, annotation = getattr(view, "network_role", None), request_class(view)
    wrong = []
    if not issubclass(annotation, NetworkRequest) and "<slug:network_slug>" in route:
        wrong.append(f"{route}: a network page, annotated {annotation.__name__}")
    if issubclass(annotation, NetworkRequest) and role is None:
        wrong.append(f"{route}: no network role, yet annotated {annotation.__name__}")
    if issubclass(annotation, SignedInNetworkRequest) and role is Role.PUBLIC:
        wrong.append(f"{route}: public, yet its request claims a signed-in user")
    if issubclass(annotation, MemberNetworkRequest) and role not in (
        Role.MEMBER,
        Role.COORDINATOR,
    ):
        wrong.append(f"{route}: {role}, yet its request claims an active membership")
    return wrong


def test_it_annotates_every_view_with_what_its_guard_ensures():
    views = project_views()
    assert len(views) > 40  # the walk itself works
    wrong = [claim for route, view in views for claim in _claims(route, view)]
    assert wrong == []


def _concrete(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", route)


@pytest.mark.django_db
def test_it_lets_no_anonymous_visitor_reach_a_signed_in_view(client):
    """``SignedInRequest`` narrows the user to an account: each view annotated with it must
    send an anonymous visitor to log in (or refuse the method) before it runs."""
    signed_in = [route for route, view in project_views() if request_class(view) is SignedInRequest]
    assert signed_in  # me/, profile/, my events, withdrawing an application
    reached = []
    for route in signed_in:
        for response in (client.get(_concrete(route)), client.post(_concrete(route))):
            sent_to_login = response.status_code == 302 and response["Location"].startswith(
                reverse("account_login")
            )
            if not (sent_to_login or response.status_code == 405):
                reached.append(f"{route}: {response.status_code}")
    assert reached == []
