"""What the browser journeys share: logging in, screenshots, keyboard steps and an accessibility
audit of every page a journey visits."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_problems

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def desktop(browser, locale: str = "it-IT"):
    """A new 1280-pixel-wide browser context and its page (close the context when done)."""
    context = browser.new_context(viewport=DESKTOP, locale=locale)
    return context, context.new_page()


def log_in(page, base: str, email: str, *, lands_on: str = r"/me/$") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(lands_on))


def screenshot(page, name: str) -> None:
    """Write the README's picture, only when asked (`make screenshots`): a test run leaves the
    work tree as it found it."""
    if not os.environ.get("CLUBIN_SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def mark_page(page) -> None:
    """Tag the loaded document: the tag survives htmx swaps and vanishes on a page load."""
    page.evaluate("window.__clubinSamePage = true")


def same_page(page) -> bool:
    return page.evaluate("window.__clubinSamePage === true")


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    focused = page.evaluate("document.activeElement?.outerHTML.slice(0, 120)")
    raise AssertionError(f"Tab never reached {selector!r}; focus is on {focused}")


class Audit:
    """axe-core on each page (and each htmx state) a journey sees; one assertion at the end."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.checked: list[str] = []

    def check(self, page, note: str = "") -> None:
        page.wait_for_load_state("load")
        where = urlsplit(page.url)
        label = where.path + (f"?{where.query}" if where.query else "")
        label += f" ({note})" if note else ""
        self.checked.append(label)
        if found := axe_problems(page):
            self.problems[label] = found

    def assert_clean(self) -> None:
        report = "\n".join(
            f"{label}:\n  " + "\n  ".join(found) for label, found in self.problems.items()
        )
        assert self.problems == {}, f"axe-core found WCAG 2.1 A/AA problems:\n{report}"
