"""The crawl's machinery: which links to follow, what to check on each page, and the report.

A page is named by its URL pattern (Django's ``resolve()`` route) and its query's parameter
names, so paging, ids and filters do not multiply the walk: a few instances of each pattern are
visited, never more. Everything is collected; the test asserts once, at the end.
"""

import gettext
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "it" / "LC_MESSAGES" / "django.mo"

# Links the crawl never follows: they change state, download a file or leave the site's pages.
SKIPPED_NAMES = {"account_logout", "set_language", "healthz"}
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/dev/", "/accounts/3rdparty/",
                    "/accounts/social/", "/accounts/oidc/")  # fmt: skip
SKIPPED_SUFFIXES = (".pdf", ".csv", ".ics", ".json", ".png", ".jpg", ".svg", ".webmanifest")
INSTANCES_PER_PATTERN = 2


@dataclass(frozen=True)
class Config:
    language: str  # "it" or "en"
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"{self.language}@{self.width}"


@dataclass
class Visit:
    persona: str
    config: Config
    url: str
    status: int
    server_ms: float


@dataclass
class Failure:
    persona: str
    config: Config
    url: str
    check: str
    detail: str

    def line(self) -> str:
        return f"[{self.check}] {self.persona} {self.config.label} {self.url}: {self.detail}"


@dataclass
class Report:
    visits: list[Visit] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    axed: set[tuple] = field(default_factory=set)  # what axe-core has looked at already

    @contextmanager
    def clock(self, step: str) -> Iterator[None]:
        """Add the time the block takes to the step's total: where the crawl spends its time."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - started

    def spent(self) -> str:
        return "Time spent: " + ", ".join(f"{k} {v:.0f} s" for k, v in self.seconds.items())

    def table(self) -> str:
        lines = ["persona\tlanguage\twidth\turl\tstatus\tserver_ms"]
        lines += [
            f"{v.persona}\t{v.config.language}\t{v.config.width}\t{v.url}\t{v.status}\t"
            f"{v.server_ms:.0f}"
            for v in self.visits
        ]
        return "\n".join(lines) + "\n"

    def failures_by_check(self) -> str:
        """Every failure, grouped by check: what the lead dispatches."""
        groups: dict[str, list[Failure]] = {}
        for failure in self.failures:
            groups.setdefault(failure.check, []).append(failure)
        out = []
        for check, found in sorted(groups.items()):
            out.append(f"== {check}: {len(found)}")
            out += [f"  {f.persona} {f.config.label} {f.url}: {f.detail}" for f in found]
        return "\n".join(out)


def page_key(path: str, query: str) -> tuple[str, tuple[str, ...]] | None:
    """The pattern a URL belongs to, or None for a URL the crawl leaves alone."""
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return ("404:" + path, ())
    if match.url_name in SKIPPED_NAMES or "token" in match.route:
        return None
    names = tuple(sorted({name for name, _value in parse_qsl(query, keep_blank_values=True)}))
    if "next" in names:  # a login link that remembers where it came from: one is enough
        names = ("next",)
    return (match.route, names)


def same_site(base: str, href: str) -> str | None:
    """The path and query of a link to this site, without its fragment; None for others."""
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Frontier:
    """Breadth-first, new URL patterns before second instances of known ones. Every pattern
    reached is visited; the cap bounds only the second instances, so a new page is never left
    out however many links a persona has."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.firsts: list[str] = []
        self.seconds: list[str] = []
        self.visited: list[str] = []
        self.seen: set[str] = set()
        self.per_key: dict[tuple[str, tuple[str, ...]], int] = {}

    def offer(self, url: str) -> None:
        if url in self.seen:
            return
        self.seen.add(url)
        parts = urlsplit(url)
        key = page_key(parts.path, parts.query)
        if key is None or self.per_key.get(key, 0) >= INSTANCES_PER_PATTERN:
            return
        self.per_key[key] = self.per_key.get(key, 0) + 1
        (self.firsts if self.per_key[key] == 1 else self.seconds).append(url)

    def next(self) -> str | None:
        if self.firsts:
            queue = self.firsts
        elif self.seconds and len(self.visited) < self.cap:
            queue = self.seconds
        else:
            return None
        self.visited.append(queue.pop(0))
        return self.visited[-1]

    @property
    def dropped(self) -> int:
        return len(self.seconds)  # second instances beyond the cap; no pattern is dropped


# --- Language ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


@dataclass
class Catalogue:
    """The Italian catalogue's pairs whose two sides differ: the texts that give a page away."""

    english: set[str]
    italian: set[str]
    english_patterns: list[re.Pattern[str]]
    italian_patterns: list[re.Pattern[str]]

    def foreign(self, text: str, language: str) -> bool:
        """True when ``text`` is the other language's wording of one of our strings."""
        own, other = (
            (self.italian, self.english) if language == "it" else (self.english, self.italian)
        )
        if text in own:  # the same words in both ("Email", "Password")
            return False
        if text in other:
            return True
        own_p, other_p = (
            (self.italian_patterns, self.english_patterns)
            if language == "it"
            else (self.english_patterns, self.italian_patterns)
        )
        if any(p.fullmatch(text) for p in own_p):
            return False
        return any(p.fullmatch(text) for p in other_p)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _pattern(text: str) -> re.Pattern[str] | None:
    """A msgid with placeholders as a regular expression, if enough of it is words."""
    if len(re.sub(r"\W", "", _PLACEHOLDER.sub("", text))) < 6:
        return None
    return re.compile(".+?".join(re.escape(piece) for piece in _PLACEHOLDER.split(text)))


def catalogue() -> Catalogue:
    with CATALOGUE.open("rb") as handle:
        entries = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    pairs: list[tuple[str, str]] = []
    for msgid, msgstr in entries.items():
        if not msgid or not msgstr:
            continue
        if isinstance(msgid, tuple):  # a plural form: (msgid, index)
            continue
        english, italian = _norm(msgid.split("\x04")[-1]), _norm(msgstr)
        if english != italian and re.search(r"[A-Za-z]{2}", english):
            pairs.append((english, italian))
    plain = [(e, i) for e, i in pairs if not _PLACEHOLDER.search(e)]
    templated = [(e, i) for e, i in pairs if _PLACEHOLDER.search(e)]
    return Catalogue(
        english={e for e, _i in plain},
        italian={i for _e, i in plain},
        english_patterns=[p for e, _i in templated if (p := _pattern(e))],
        italian_patterns=[p for _e, i in templated if (p := _pattern(i))],
    )


def foreign_texts(texts: Iterable[str], language: str, words: Catalogue) -> list[str]:
    return sorted({t for t in texts if words.foreign(t, language)})


# --- In the page ------------------------------------------------------------------------------

# One pass over the document: its width, the elements sticking out of their box, and every
# visible text (attributes read aloud or shown included) with the language it is marked in.
PROBE = """() => {
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].slice(0, 2).join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const shown = (el) => el.checkVisibility({visibilityProperty: true});
  const viewport = document.documentElement.clientWidth;
  // The nearest ancestor that clips or scrolls horizontally, and how.
  const box = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow !== "visible") return [a, overflow];
    }
    return [null, "visible"];
  };
  const out = new Set();
  const overflows = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden, for screen readers
    if (rect.right <= 0) continue;  // moved off to the left on purpose (a honeypot field)
    const [container, overflow] = box(el);
    if (overflow === "auto" || overflow === "scroll") continue;  // a scroller, on purpose
    const limit = container ? container.getBoundingClientRect().right : viewport;
    if (rect.right > limit + 1) {
      out.add(el);
      if (!out.has(el.parentElement)) {  // only the outermost of a sticking-out family
        const inside = container ? describe(container).slice(0, 60) : "the viewport";
        overflows.push(`${describe(el)} ends at ${Math.round(rect.right)}px, ` +
                       `beyond ${inside} (${Math.round(limit)}px)`);
      }
    }
  }
  const page = document.documentElement.lang;
  const texts = [];
  const add = (text, el) => {
    text = (text || "").replace(/\\s+/g, " ").trim();
    if (!text) return;
    const marked = el.closest("[lang]");
    if (marked && marked.lang !== page) return;  // marked as another language: on purpose
    texts.push(text);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, template")) continue;
    if (!parent.closest("select") && !shown(parent)) continue;
    add(node.data, parent);
  }
  const attributes = ["placeholder", "aria-label", "title", "alt"];
  for (const el of document.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    for (const attr of attributes) add(el.getAttribute(attr), el);
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    add(el.value, el);
  }
  add(document.title.replace(/\\s*·\\s*ClubIN$/, ""), document.documentElement);
  return {
    language: page,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    overflows: overflows.slice(0, 5),
    texts,
  };
}"""

# Opens every <details>; lists what asks for a confirmation before it is sent (static/js/
# confirm.js): a submit button with data-confirm, a form with data-confirm, an <option> with
# data-confirm in a form's select. Each as [form, button, select, option] indexes.
OPENERS = """() => {
  for (const details of document.querySelectorAll("details:not([open])")) details.open = true;
  const found = [];
  const kinds = new Set();  // one of each kind: a queue's 25 "Reject" buttons ask alike
  const add = (form, entry) => {
    const kind = (form.getAttribute("action") || "").replace(/\\d+/g, "#") + entry.slice(1);
    if (!kinds.has(kind)) found.push(entry);
    kinds.add(kind);
  };
  const submits = (form) => [...form.querySelectorAll(
    "button[type=submit], button:not([type]), input[type=submit]")];
  document.querySelectorAll("form").forEach((form, f) => {
    submits(form).forEach((button, b) => {
      if (button.dataset.confirm) add(form, [f, b, -1, -1]);
    });
    form.querySelectorAll("select").forEach((select, s) => {
      [...select.options].forEach((option, o) => {
        if (option.dataset.confirm) add(form, [f, 0, s, o]);
      });
    });
    if (form.dataset.confirm) add(form, [f, 0, -1, -1]);
  });
  return found;
}"""

# Makes one of OPENERS' confirmations ready to ask: its option chosen, one box it counts ticked,
# its submit button tagged for the click. False when the button is not shown.
PREPARE = """([f, b, s, o]) => {
  const form = document.querySelectorAll("form")[f];
  if (s >= 0) form.querySelectorAll("select")[s].selectedIndex = o;
  const counted = form.dataset.confirmCount;
  if (counted) {
    const box = [...document.querySelectorAll("input[type=checkbox]")]
      .find((el) => el.name === counted && el.form === form);
    if (box) box.checked = true;
  }
  const button = [...form.querySelectorAll(
    "button[type=submit], button:not([type]), input[type=submit]")][b];
  if (!button || !button.checkVisibility()) return false;
  document.querySelectorAll("[data-crawl-opener]").forEach((el) => {
    el.removeAttribute("data-crawl-opener");
  });
  button.setAttribute("data-crawl-opener", "");
  return true;
}"""

# Run before any page script: no form is sent and no script writes, whatever a button does.
READ_ONLY = """(() => {
  // Not stopped: confirm.js still hears the submit and asks; only sending is prevented.
  document.addEventListener("submit", (event) => event.preventDefault(), true);
  HTMLFormElement.prototype.submit = function () {};
  HTMLFormElement.prototype.requestSubmit = function () {};
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, ...rest) {
    if (!/^(GET|HEAD)$/i.test(method)) throw new Error("the crawl does not write");
    return open.call(this, method, ...rest);
  };
  const fetch = window.fetch;
  window.fetch = (input, init) =>
    /^(GET|HEAD)?$/i.test((init && init.method) || "")
      ? fetch(input, init)
      : Promise.reject(new Error("the crawl does not write"));
})();"""

# Resolves once what redraws on a resize has redrawn: two frames, then (charts redraw through a
# ResizeObserver, later on a busy machine) until no canvas passes the viewport, for up to a second.
SETTLED = """() => new Promise((done) => {
  const started = performance.now();
  const wide = () => [...document.querySelectorAll("canvas")]
    .some((canvas) => canvas.getBoundingClientRect().right > window.innerWidth);
  const step = (frames) => requestAnimationFrame(() => {
    if (frames < 2 || (wide() && performance.now() - started < 1000)) step(frames + 1);
    else done();
  });
  step(0);
})"""
