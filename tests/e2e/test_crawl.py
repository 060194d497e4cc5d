"""The crawl: every page a demo persona can reach, in both languages, on a phone and at a desk.

Each persona (and an anonymous visitor) starts from the home page and `/me/` and follows every
link to this site breadth-first: new URL patterns first (Django's ``resolve()`` route and the
query's parameter names), every pattern once and a second instance of each while fewer than
``CLUBIN_CRAWL_CAP`` pages (45) were visited.
Links that act or download are not followed (log out, tokens, .pdf/.csv/.ics, mail and phone
links, the admin); forms are never sent, dialogs are opened and never confirmed (a request that
is not a GET fails the crawl). The links are found in Italian; the same pages are then visited
in English. Each page is loaded at 1366 by 900, checked, resized to 360 by 780 and checked again,
then with every ``<details>``, ``[data-confirm]`` confirmation and ``<dialog>`` open. It fails on:

- ``5xx``: a server error;
- ``document-width``: a document wider than the viewport;
- ``overflow``: an element whose right edge passes its clipping container's (or the viewport's),
  horizontal scrollers (``overflow-x: auto``, as ``.table-wrap``) aside;
- ``language``: a text of ours in the other language: on an Italian page a visible text (or
  placeholder, label, title) that is an English msgid of locale/it whose Italian differs, and
  the reverse; texts marked with their own ``lang`` (the language switch) aside;
- ``axe``: a serious or critical axe-core violation, once per URL pattern and language (for the
  first persona reaching it: axe takes longer than every other check together);
- ``slow``: a document whose server time passed 300 ms twice running. The server time is the
  browser's own measure of the document request, from sending it to the first byte of the answer
  (Playwright's ``request.timing``: responseStart - requestStart); a second, direct request decides
  when the first was slow, so a cold template cache or a busy CI runner does not fail the crawl;
- ``confirmation``: a button marked ``data-confirm`` that opened no dialog;
- ``navigation`` and ``acted``: a page that would not load, a request that was not a read.

Every page visited (persona, language, width, URL, status, server time) is written to
``crawl-report.tsv`` in the test's tmp dir and the failures, grouped by check, to
``crawl-failures.txt``; the summary is printed. For a local run only, ``CLUBIN_CRAWL_ALLOW``
names checks whose failures are listed but do not fail the test (``language,axe``) and
``CLUBIN_CRAWL_PERSONAS`` the personas to crawl (emails, or ``anonymous``).
``CLUBIN_SCREENSHOTS=1`` writes the README's pictures into docs/screenshots/.
"""

import io
import os
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from demo.management.commands.load_demo import DEMO_PASSWORD, LOGINS
from tests.e2e.conftest import axe_problems, needs_chromium
from tests.e2e.crawl import (
    OPENERS,
    PREPARE,
    PROBE,
    READ_ONLY,
    SETTLED,
    Catalogue,
    Config,
    Failure,
    Frontier,
    Report,
    Visit,
    catalogue,
    foreign_texts,
    page_key,
    same_site,
)
from tests.e2e.helpers import SCREENSHOTS

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["it", "en"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
CRAWL_CAP = int(os.environ.get("CLUBIN_CRAWL_CAP", "45"))
SLOW_MS = 300
ANONYMOUS = "anonymous"
START = ["/", "/me/"]

# The README's pictures: (persona, URL name, language, width) -> file in docs/screenshots/.
README_SHOTS: dict[tuple[str, str | None, str, int], str] = {
    (ANONYMOUS, "home", "it", 1366): "home-desktop.png",
    (ANONYMOUS, "home", "it", 360): "home-phone.png",
    ("ospite@clubin.example", "apply", "it", 360): "apply-phone.png",
    ("coordinatore.firenze@clubin.example", "manage_applications", "it", 1366):
        "review-queue-desktop.png",
    ("socio.firenze@clubin.example", "me", "it", 360): "card-phone.png",
    ("socio.firenze@clubin.example", "event_detail", "it", 1366): "event-desktop.png",
    ("coordinatore.firenze@clubin.example", "event_checkin", "it", 360): "checkin-phone.png",
    ("staff@clubin.example", "federation_home", "it", 1366): "dashboard-desktop.png",
    ("coordinatore.firenze@clubin.example", "manage_stats", "it", 360): "network-stats-phone.png",
}  # fmt: skip


@pytest.fixture
def demo(db) -> None:
    """The demo as `make run` loads it: networks and people, events, business, figures."""
    for command in ("load_demo", "load_demo_events", "load_demo_ties", "stats_rebuild"):
        options = {} if command == "stats_rebuild" else {"force": True}
        call_command(command, stdout=io.StringIO(), **options)


@pytest.mark.timeout(900)  # every persona, both languages, both widths: a few minutes
def test_it_crawls_every_page_sound(demo, live_server, browser, tmp_path):
    base = live_server.url
    report = Report()
    words = catalogue()
    started = time.monotonic()
    for persona in _personas():
        with report.clock("login"):
            state = _logged_in_state(browser, base, persona)
        urls: list[str] = []
        for language in LANGUAGES:
            crawl = Crawl(browser, base, persona, language, state, report, words)
            try:
                urls = crawl.revisit(urls) if urls else crawl.discover()
            finally:
                crawl.close()
    elapsed = time.monotonic() - started

    (tmp_path / "crawl-report.tsv").write_text(report.table())
    (tmp_path / "crawl-failures.txt").write_text(report.failures_by_check())
    allowed = {c.strip() for c in os.environ.get("CLUBIN_CRAWL_ALLOW", "").split(",") if c}
    failing = [f for f in report.failures if f.check not in allowed]
    print(
        f"\nCrawl: {len(report.visits)} page visits in {elapsed:.0f} s, "
        f"{len({v.url for v in report.visits})} distinct URLs, "
        f"{len(report.failures)} failures ({len(failing)} not allowed). {report.spent()}.\n"
        f"Report: {tmp_path / 'crawl-report.tsv'}\n{report.failures_by_check()}"
    )
    assert not failing, "The crawl found problems:\n" + "\n".join(f.line() for f in failing)


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


def _personas() -> list[str]:
    """Everyone, or (for a local run) those CLUBIN_CRAWL_PERSONAS names, comma-separated."""
    everyone = [ANONYMOUS, *(login.email for login in LOGINS)]
    chosen = [p for p in os.environ.get("CLUBIN_CRAWL_PERSONAS", "").split(",") if p]
    return [p for p in everyone if not chosen or p in chosen]


def _logged_in_state(browser, base: str, persona: str) -> dict | None:
    """The cookies of a signed-in session for the persona (None for the anonymous visitor)."""
    if persona == ANONYMOUS:
        return None
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", persona)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, (
        f"{persona} cannot log in: {page.locator('main').inner_text()[:300]}"
    )
    state = context.storage_state()
    context.close()
    return state


class Crawl:
    """One persona in one language: a browser context, resized between desk and phone."""

    def __init__(self, browser, base, persona, language: str, state, report, words) -> None:
        self.base, self.persona, self.language = base, persona, language
        self.report: Report = report
        self.words: Catalogue = words
        self.context = browser.new_context(
            viewport=DESKTOP,
            locale="it-IT" if language == "it" else "en-GB",
            storage_state=state,
            service_workers="block",  # the server's answers, never a cached copy
        )
        cookie = settings.LANGUAGE_COOKIE_NAME
        self.context.add_cookies([{"name": cookie, "value": language, "url": base}])
        # Nothing the crawl does may change anything: forms are never sent (a route would do it
        # too, but routing turns the browser's cache off and doubles the crawl's time), and a
        # request that is not a read fails the crawl.
        self.context.add_init_script(script=READ_ONLY)
        self.page = self.context.new_page()
        self.page.on("dialog", self._confirm_box)
        self.page.on("request", self._only_reads)
        self.reported: set[tuple[str, str, str, str]] = set()
        self.config = Config(language, DESKTOP["width"], DESKTOP["height"])

    def close(self) -> None:
        self.context.close()

    def discover(self) -> list[str]:
        frontier = Frontier(CRAWL_CAP)
        for start in START:
            frontier.offer(start)
        while (url := frontier.next()) is not None:
            for link in self.visit(url):
                frontier.offer(link)
        if frontier.dropped:
            print(f"{self.persona}: {frontier.dropped} links beyond the cap of {CRAWL_CAP}")
        return frontier.visited

    def revisit(self, urls: list[str]) -> list[str]:
        for url in urls:
            self.visit(url)
        return urls

    def fail(self, url: str, check: str, detail: str, state: str = "") -> None:
        """Record a failure once per page and width: a dialog opened on a broken page is as
        broken."""
        if (url, self.config.label, check, detail) in self.reported:
            return
        self.reported.add((url, self.config.label, check, detail))
        where = f" ({state})" if state else ""
        self.report.failures.append(Failure(self.persona, self.config, url, check, detail + where))

    def resize(self, size: dict[str, int]) -> None:
        if self.page.viewport_size == size:
            return
        self.page.set_viewport_size(size)
        self.config = Config(self.language, size["width"], size["height"])
        # Scripts that follow the size (the charts) redraw on the next frames.
        self.page.evaluate(SETTLED)

    def visit(self, url: str) -> list[str]:
        """Open the page at a desk, check it, then as a phone with its dialogs open; its links."""
        page, clock = self.page, self.report.clock
        self.resize(DESKTOP)
        try:
            with clock("load"):
                response = page.goto(self.base + url, wait_until="load")
        except Exception as error:  # a download, a crash: say which page
            self.fail(url, "navigation", str(error).splitlines()[0])
            return []
        if response is None:
            return []
        timing = response.request.timing
        server_ms = max(0.0, timing["responseStart"] - timing["requestStart"])
        for size in (DESKTOP, PHONE):
            config = Config(self.language, size["width"], size["height"])
            self.report.visits.append(Visit(self.persona, config, url, response.status, server_ms))
        if response.status >= 500:
            self.fail(url, "5xx", f"HTTP {response.status}")
            return []
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        if server_ms > SLOW_MS:
            self._slow_twice(url, server_ms)
        links = page.evaluate(
            "[...document.querySelectorAll('a[href]:not([download])')].map((a) => a.href)"
        )
        self._screenshot(url)
        with clock("checks"):
            self._check(url, "")
        if self.language == "it":
            self._axe(url)
        self.resize(PHONE)
        self._screenshot(url)
        with clock("checks"):
            self._check(url, "")
        if self.language == "en":
            self._axe(url)
        with clock("dialogs"):
            self._open_dialogs(url)
        return [found for href in links if (found := same_site(self.base, href))]

    def _axe(self, url: str) -> None:
        """axe-core takes longer than every other check together: once per URL pattern and
        language (for the first persona that reaches it), Italian at a desk, English on a
        phone."""
        key = (self.language, page_key(*_split(url)))
        if key in self.report.axed:
            return
        self.report.axed.add(key)
        with self.report.clock("axe"):
            for problem in axe_problems(self.page):
                self.fail(url, "axe", problem)

    def _slow_twice(self, url: str, first_ms: float) -> None:
        started = time.perf_counter()
        self.page.request.get(self.base + url, max_redirects=0)
        again_ms = (time.perf_counter() - started) * 1000
        if again_ms > SLOW_MS:
            self.fail(url, "slow", f"{first_ms:.0f} ms, then {again_ms:.0f} ms")

    def _check(self, url: str, state: str) -> None:
        """Width, overflow and language of the page as it is now (state: which dialog is open)."""
        found = self.page.evaluate(PROBE)
        if found["language"] != self.language:
            self.fail(url, "language", f"the page is in {found['language']!r}", state)
        if found["scrollWidth"] > found["innerWidth"]:
            self.fail(
                url, "document-width",
                f"{found['scrollWidth']}px wide in a {found['innerWidth']}px viewport", state,
            )  # fmt: skip
        for overflow in found["overflows"]:
            self.fail(url, "overflow", overflow, state)
        for text in foreign_texts(found["texts"], self.language, self.words):
            self.fail(url, "language", repr(text), state)

    def _open_dialogs(self, url: str) -> None:
        """On the phone: every <details> opened, each confirmation and <dialog> in turn; then
        the details again at a desk."""
        page = self.page
        confirmations = page.evaluate(OPENERS)
        details = page.locator("details").count()
        if details:
            self._check(url, "details open")
        for number, opener in enumerate(confirmations, start=1):
            if not page.evaluate(PREPARE, opener):
                continue
            page.click("[data-crawl-opener]", no_wait_after=True, timeout=3000)
            try:
                page.wait_for_selector("dialog[open]", timeout=2000)
            except PlaywrightTimeout:
                self.fail(url, "confirmation", f"confirmation {number} asked nothing")
                continue
            self._check(url, f"confirmation {number} open")
            page.keyboard.press("Escape")
        for index in range(page.locator("dialog").count()):
            dialog = page.locator("dialog").nth(index)
            if dialog.evaluate("(d) => d.open || (d.showModal(), false)"):
                continue  # open already, and checked as the page
            self._check(url, f"dialog {index + 1} open")
            dialog.evaluate("(d) => d.close()")
        if details:
            self.resize(DESKTOP)
            self._check(url, "details open")

    def _only_reads(self, request) -> None:
        if request.method not in ("GET", "HEAD"):
            url = same_site(self.base, self.page.url) or self.page.url
            self.fail(url, "acted", f"the crawl sent {request.method} {request.url}")

    def _confirm_box(self, dialog) -> None:
        """A browser confirm(): its question is checked like the page's texts, then dismissed."""
        url = same_site(self.base, self.page.url) or self.page.url
        for text in foreign_texts([dialog.message], self.config.language, self.words):
            self.fail(url, "language", repr(text), "confirm box")
        dialog.dismiss()

    def _screenshot(self, url: str) -> None:
        if not os.environ.get("CLUBIN_SCREENSHOTS"):
            return
        try:
            name = resolve(url.split("?")[0]).url_name
        except Resolver404:
            return
        key = (self.persona, name, self.language, self.config.width)
        if shot := README_SHOTS.pop(key, None):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(SCREENSHOTS / shot), full_page=True, animations="disabled"
            )


def test_it_tells_our_english_from_our_italian():
    words = catalogue()

    assert foreign_texts(["Log in", "FlorenceIN", "Email"], "it", words) == ["Log in"]
    assert foreign_texts(["Accedi", "Chiara Innocenti"], "en", words) == ["Accedi"]
    assert foreign_texts(["Accedi"], "it", words) == []
    # A text with a name in it: the words around the placeholder give it away.
    assert foreign_texts(["Manage FlorenceIN"], "it", words) == ["Manage FlorenceIN"]


def test_it_walks_each_url_pattern_a_few_times_new_ones_first():
    frontier = Frontier(cap=4)
    for url in ["/florence/", "/veneto/", "/milan/", "/me/", "/accounts/logout/", "/x.pdf"]:
        frontier.offer(url)

    # /veneto/ is a second network page, visited after the first /me/; /milan/ a third, never.
    assert [frontier.next() for _ in range(4)] == ["/florence/", "/me/", "/veneto/", None]
    few = Frontier(cap=1)  # the cap bounds second instances only: each pattern is visited
    for url in ["/florence/", "/veneto/", "/me/", "/federation/"]:
        few.offer(url)
    assert [few.next() for _ in range(4)] == ["/florence/", "/me/", "/federation/", None]
    assert page_key("/florence/events/", "page=2&q=x") == ("<slug:network_slug>/events/",
                                                            ("page", "q"))  # fmt: skip
    assert page_key("/accounts/logout/", "") is None
    assert same_site("http://h:1", "http://h:1/me/?a=1#top") == "/me/?a=1"
    assert same_site("http://h:1", "mailto:x@example.com") is None
