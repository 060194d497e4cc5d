"""One way to page a list: by keyset, never OFFSET, with links that keep the page's filters.

A selector orders its rows, filters them past the cursor it was given and hands them to
``keyset_page``, which reads one row more than a page to know whether another follows. The
cursor is the last row shown, written by the selector (an id, or an opaque token for a sort
on several columns), so rows that arrive meanwhile never shift a page. The view passes the
page to ``page_links`` and the template includes ``_pages.html``.
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

Row = TypeVar("Row")
# The query parameter of a "previous page" cursor, for lists paged both ways.
BEFORE = "before"


class Page(NamedTuple, Generic[Row]):
    rows: list[Row]
    next_cursor: str | None  # None on the last page


class TwoWayPage(NamedTuple, Generic[Row]):
    """A page of a list paged both ways: also the cursor of the page before (None on the
    first page), which a "previous page" link passes as ``before``."""

    rows: list[Row]
    next_cursor: str | None
    previous_cursor: str | None


def keyset_page(
    rows: QuerySet[Any, Row] | Sequence[Row], *, size: int, cursor_of: Callable[[Row], str]
) -> Page[Row]:
    """The first ``size`` rows, and the cursor of the next page if there is one."""
    fetched = list(rows[: size + 1])
    if len(fetched) <= size:
        return Page(fetched, None)
    page = fetched[:size]
    return Page(page, cursor_of(page[-1]))


def keyset_page_before(
    rows_backwards: QuerySet[Any, Row] | Sequence[Row],
    *,
    size: int,
    cursor_of: Callable[[Row], str],
) -> TwoWayPage[Row]:
    """The page that ends just before a cursor, for a "previous page" link.

    ``rows_backwards`` are the rows before the cursor in reverse order (the selector flips its
    ordering); the page comes back in reading order. The cursor came from a row of the page
    after this one, so a next page exists; a previous one exists if more than ``size`` rows do.
    """
    fetched = list(rows_backwards[: size + 1])
    page = list(reversed(fetched[:size]))
    previous = cursor_of(page[0]) if len(fetched) > size else None
    following = cursor_of(page[-1]) if page else None
    return TwoWayPage(page, following, previous)


def page_links(
    request: HttpRequest, *, page: Page | TwoWayPage, param: str
) -> dict[str, str | bool]:
    """What ``_pages.html`` needs: the first, next and (for lists paged both ways, whose
    backward cursor is ``before``) previous pages' query strings, every parameter kept but the
    cursors, and ``next_<param>``, the bare cursor."""
    params = request.GET.copy()
    params.pop(param, None)
    params.pop(BEFORE, None)
    links: dict[str, str | bool] = {
        "first_page_query": params.urlencode(),
        "is_first_page": not (request.GET.get(param) or request.GET.get(BEFORE)),
        "next_page_query": "",
        "previous_page_query": "",
        f"next_{param}": page.next_cursor or "",
    }
    if page.next_cursor:
        forward = params.copy()
        forward[param] = page.next_cursor
        links["next_page_query"] = forward.urlencode()
    previous = page.previous_cursor if isinstance(page, TwoWayPage) else None
    if previous:
        backward = params.copy()
        backward[BEFORE] = previous
        links["previous_page_query"] = backward.urlencode()
    return links
