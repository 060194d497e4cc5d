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


class Page(NamedTuple, Generic[Row]):
    rows: list[Row]
    next_cursor: str | None  # None on the last page


def keyset_page(
    rows: QuerySet[Any, Row] | Sequence[Row], *, size: int, cursor_of: Callable[[Row], str]
) -> Page[Row]:
    """The first ``size`` rows, and the cursor of the next page if there is one."""
    fetched = list(rows[: size + 1])
    if len(fetched) <= size:
        return Page(fetched, None)
    page = fetched[:size]
    return Page(page, cursor_of(page[-1]))


def page_links(request: HttpRequest, *, page: Page, param: str) -> dict[str, str | bool]:
    """What ``_pages.html`` needs: the first and next pages' query strings (every parameter
    kept but the cursor), and ``next_<param>``, the bare cursor."""
    params = request.GET.copy()
    params.pop(param, None)
    links: dict[str, str | bool] = {
        "first_page_query": params.urlencode(),
        "is_first_page": not request.GET.get(param),
        "next_page_query": "",
        f"next_{param}": page.next_cursor or "",
    }
    if page.next_cursor:
        params[param] = page.next_cursor
        links["next_page_query"] = params.urlencode()
    return links
