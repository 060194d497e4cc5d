"""Property test: bad input gets a form error, a refusal or a 404, never a 500.

Nothing is listed by hand. The site's URL patterns are walked; each page is opened as an
anonymous visitor, a member, a coordinator and federation staff; the forms each page shows and
the query parameters the views read (found in their source) are then filled with generated
values: overlong text, odd Unicode (NUL, lone surrogates, right-to-left marks, combining marks,
"²" and other non-ASCII digits), out-of-range numbers and dates. Numeric path parameters get
huge numbers. Any 500 is raised by the test client and shrunk by Hypothesis.
"""

import inspect
import re
import sys
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from django.test import Client
from django.test.utils import ContextList
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.site_walk import Page, project_form_classes, site_objects, site_pages

pytestmark = pytest.mark.django_db

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".example"  # 264: the RFC allows it
TEXT_BAD = [
    "a\x00b",
    "\ud800",  # a lone surrogate: sent as its (invalid) UTF-8 bytes
    "\u202eevil\u0301\u0301",  # a right-to-left override and combining marks
    "²",
    "x" * 5001,
    LONG_EMAIL,
    "https://linkedin.com.evil.example/in/x",
]
NUMBER_BAD = ["²", "9" * 30, "-1", "\x00"]
DATE_BAD = ["0001-01-01T00:00", "9999-12-31", "2026-02-30", "²"]
GENERATED = st.one_of(
    st.sampled_from(TEXT_BAD + NUMBER_BAD + DATE_BAD),
    st.text(max_size=20),
    st.text(min_size=255, max_size=400),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)
SETTINGS = settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
# Signing out mid-walk would only make the rest of the walk anonymous.
SKIP = re.compile(r"logout/$")
_READS = re.compile(r"request\.(?:GET|POST)\.get(?:list)?\(\s*\"([^\"]+)\"")


def _query_names() -> list[str]:
    """Every parameter name the project's views read from the query string or the body."""
    modules = {
        sys.modules[pattern.callback.__module__]
        for pattern in _url_patterns(get_resolver())
        if pattern.callback.__module__.split(".")[0]
        in {"clubin", "networks", "members", "events", "outbox"}
    }
    names = {name for module in modules for name in _READS.findall(inspect.getsource(module))}
    assert {"older_than", "before", "invitation"} <= names  # the walk itself works
    return sorted(names)


def _url_patterns(resolver: URLResolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _url_patterns(entry)
        else:
            yield entry


def _form_field_names() -> list[str]:
    names = set()
    for form_class in project_form_classes():
        names |= set(form_class.base_fields)  # type: ignore[attr-defined]  # set by the metaclass
    return sorted(names)


def _forms_on(response) -> list[forms.BaseForm]:
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, ContextList):
        contexts = [contexts]
    found = {}
    for context in contexts:
        for layer in context:  # a Context is a stack of dicts
            for value in layer.values():
                if isinstance(value, forms.BaseForm):
                    found[id(value)] = value
    return list(found.values())


def _encode(data: dict[str, str]) -> str:
    # errors="surrogatepass": a lone surrogate goes out as the bytes a broken client would send.
    return "&".join(
        f"{quote(k)}={quote(v, safe='', errors='surrogatepass')}" for k, v in data.items()
    )


def _assert_no_500(response, what: str) -> None:
    assert response.status_code < 500, what


def _baseline(form: forms.BaseForm) -> dict[str, str]:
    """Values the form accepts, by field type, so that one bad field at a time gets through
    every other check and reaches the code behind the form (where the 500s were)."""
    data: dict[str, str] = {}
    for n, (name, field) in enumerate(form.fields.items()):
        value = _good_value(field, n)
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def _good_value(field: forms.Field, n: int) -> str | None:
    if isinstance(field, forms.FileField | forms.ModelMultipleChoiceField):
        return None
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices  # a list once the field is built
        return next((str(v) for v, _label in choices if str(v)), None)
    if not field.required:
        return ""
    if isinstance(field, forms.DateTimeField):
        return f"2030-01-{n + 1:02d}T20:00"  # later fields later: an event ends after it starts
    if isinstance(field, forms.DateField):
        return f"2020-01-{n + 1:02d}"
    if isinstance(field, forms.IntegerField):
        return "1"
    if isinstance(field, forms.EmailField):
        return f"fuzz{n}@example.com"
    if isinstance(field, forms.URLField):
        return "https://www.linkedin.com/in/fuzz"
    return "Fuzz"


def _bad_values(field: forms.Field) -> list[str]:
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return DATE_BAD
    if isinstance(field, forms.IntegerField | forms.ChoiceField | forms.BooleanField):
        return NUMBER_BAD
    return TEXT_BAD


@pytest.fixture
def walk(personas):
    site = site_objects(personas)
    people = {"alice": personas.alice, "bob": personas.bob, "fiona": personas.fiona}
    people["anonymous"] = None
    return site, people


def _client(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _reachable(site, people) -> list[tuple[str, Page, list[forms.BaseForm]]]:
    """(persona, page, the forms it shows) for every page a persona may open."""
    reachable = []
    for page in site_pages():
        if SKIP.search(page.route):
            continue
        for who, person in people.items():
            response = _client(person).get(page.path(site.values))
            _assert_no_500(response, page.route)
            if response.status_code in (403, 404) and who != "anonymous":
                continue
            if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
                continue
            reachable.append((who, page, _forms_on(response)))
    return reachable


# The whole site in one walk: about a minute alone, several on a loaded machine.
@pytest.mark.timeout(600)
def test_it_answers_generated_bad_input_without_a_500(walk):
    site, people = walk
    reachable = _reachable(site, people)
    assert len({page.route for _who, page, _forms in reachable}) > 40
    assert sum(bool(found) for _who, _page, found in reachable) > 20  # pages with forms
    query_names = _query_names()
    # A page that shows no form (a button's endpoint) gets every name a form or view reads.
    fallback = sorted(set(_form_field_names()) | set(query_names))
    swept = set()
    for who, page, found in reachable:
        # Each form is swept field by field once, by the first persona that sees it.
        sweep = page.route not in swept
        swept.add(page.route)
        _fuzz(site, people[who], page, found, query_names, fallback, sweep=sweep)


def _fuzz(site, person, page: Page, found, query_names, fallback, *, sweep: bool) -> None:
    baseline: dict[str, str] = {}
    fields: dict[str, forms.Field] = {}
    for form in found:
        baseline |= _baseline(form)
        fields |= {form.add_prefix(name): field for name, field in form.fields.items()}
    names = sorted(fields) or fallback

    # Generated examples on top of the sweep; fewer where another persona swept the page.
    @settings(SETTINGS, max_examples=3 if sweep else 2)
    @given(
        field=st.sampled_from(names),
        value=GENERATED,
        query=st.fixed_dictionaries({}, optional=dict.fromkeys(query_names, GENERATED)),
        huge=st.booleans(),
    )
    def check(field, value, query, huge):
        client = _client(person)
        numbers = dict.fromkeys(page.numbers, str(10**30))
        path = page.path(site.values, **numbers) if huge else page.path(site.values)
        what = f"{page.route} as {person or 'anonymous'}: {field}={value!r}"
        _assert_no_500(client.get(f"{path}?{_encode(query)}"), what)
        body = _encode({**baseline, field: value} if field else query)
        response = client.post(
            path, body, content_type="application/x-www-form-urlencoded", follow=True
        )
        _assert_no_500(response, what)

    if sweep:
        for name, field in fields.items():
            for bad in _bad_values(field):
                check = example(field=name, value=bad, query={}, huge=False)(check)
        for bad in NUMBER_BAD:
            check = example(
                field=names[0], value="", query=dict.fromkeys(query_names, bad), huge=True
            )(check)
            if not fields:  # a button's endpoint: every name it might read, at once
                check = example(field="", value="", query=dict.fromkeys(fallback, bad), huge=False)(
                    check
                )
    check()
