"""Name badges for the check-in desk: an A4 PDF of badges 90 by 60 mm, eight to a page.

Each badge shows the name, the company (or "Guest"), the network and the QR code of the
person's ticket: the very code the ticket carries (``events.tickets.ticket_qr``), so the door
scanner reads a badge as it reads a ticket. The QR code is drawn as vector rectangles from
segno's matrix, one per run of dark modules, in module units: sharp at any printer's
resolution, and a few hundred path operations per badge rather than an embedded image.

Names come in every script, so the text is set in DejaVu Sans, shipped in static/fonts/ (a
server may have no such font) and embedded in the PDF as a subset.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from events.selectors import BadgeRow
from events.tickets import ticket_qr

FONTS = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu-2.37"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

BADGE_WIDTH, BADGE_HEIGHT = 90 * mm, 60 * mm
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
PAD = 5 * mm
QR_SIZE = 24 * mm
QR_BOTTOM = PAD + 3 * mm  # the ticket code, to type when a camera fails, sits below it
TEXT_WIDTH = BADGE_WIDTH - 2 * PAD
BESIDE_QR = TEXT_WIDTH - QR_SIZE - 3 * mm
# The grid sits in the middle of the page; the badges touch, so one cut separates two.
LEFT = (A4[0] - COLUMNS * BADGE_WIDTH) / 2
BOTTOM = (A4[1] - ROWS * BADGE_HEIGHT) / 2

ACCENT = HexColor("#1565c0")  # ClubIN's blue (static/img/favicon.svg)
GREY = HexColor("#555555")
BORDER = HexColor("#b0b0b0")
BLACK = HexColor("#000000")
LEADING = 1.15


@dataclass(frozen=True)
class Fitted:
    """Text set to fit a width: its size and lines (no line wider than the width)."""

    size: float
    lines: list[str]


@dataclass(frozen=True)
class Style:
    font: str
    largest: float  # on one line
    smallest: float
    # When even the smallest size is too wide for one line: wrapped, from this size down.
    wrapped: float = 0
    wrapped_smallest: float = 0


NAME = Style(BOLD, largest=20, smallest=12, wrapped=15, wrapped_smallest=10)
COMPANY = Style(REGULAR, largest=11, smallest=8, wrapped=9.5, wrapped_smallest=7)
NETWORK = Style(BOLD, largest=9, smallest=7)
TICKET_CODE = Style(REGULAR, largest=6, smallest=4)


@cache
def fonts_registered() -> bool:
    """DejaVu Sans, loaded once per process from the project's own copy."""
    pdfmetrics.registerFont(TTFont(REGULAR, FONTS / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSans-Bold.ttf"))
    return True


def badges_pdf(*, rows: Sequence[BadgeRow], title: str, subtitle: str) -> bytes:
    """The PDF: ``title`` names the event on every badge, ``subtitle`` its date."""
    fonts_registered()
    buffer = io.BytesIO()
    # The first font is DejaVu too, else every page would name Helvetica (never drawn).
    # types-reportlab declares initialFontName a float: it is the font's name.
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=REGULAR)  # type: ignore[arg-type]
    canvas.setTitle(_("Name badges: %(event)s") % {"event": title})
    canvas.setCreator("ClubIN")
    if not rows:
        _nobody(canvas, title)
    for start in range(0, len(rows), PER_PAGE):
        page = rows[start : start + PER_PAGE]
        _cut_marks(canvas, rows=-(-len(page) // COLUMNS))
        for index, row in enumerate(page):
            column, line = index % COLUMNS, index // COLUMNS
            x = LEFT + column * BADGE_WIDTH
            y = BOTTOM + (ROWS - 1 - line) * BADGE_HEIGHT
            _badge(canvas, row, x, y, title, subtitle)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _nobody(canvas: Canvas, title: str) -> None:
    canvas.setFont(REGULAR, 12)
    message = _("Nobody has a confirmed place at %(event)s yet.") % {"event": title}
    for n, line in enumerate(wrap(message, REGULAR, 12, A4[0] - 2 * LEFT)):
        canvas.drawString(LEFT, A4[1] - BOTTOM - n * 12 * LEADING, line)
    canvas.showPage()


def _cut_marks(canvas: Canvas, *, rows: int) -> None:
    """Short lines in the margin where each cut goes, for the rows this page fills."""
    top, bottom = BOTTOM + ROWS * BADGE_HEIGHT, BOTTOM + (ROWS - rows) * BADGE_HEIGHT
    right = LEFT + COLUMNS * BADGE_WIDTH
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    for column in range(COLUMNS + 1):
        x = LEFT + column * BADGE_WIDTH
        canvas.line(x, top + 2 * mm, x, top + 8 * mm)
        canvas.line(x, bottom - 2 * mm, x, bottom - 8 * mm)
    for line in range(rows + 1):
        y = top - line * BADGE_HEIGHT
        canvas.line(LEFT - 2 * mm, y, LEFT - 8 * mm, y)
        canvas.line(right + 2 * mm, y, right + 8 * mm, y)


def _badge(canvas: Canvas, row: BadgeRow, x: float, y: float, title: str, when: str) -> None:
    canvas.setStrokeColor(BORDER)
    canvas.setLineWidth(0.25)
    canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)
    left, top = x + PAD, y + BADGE_HEIGHT - PAD
    network = fit(row.network, NETWORK, TEXT_WIDTH, max_lines=1)
    _lines(canvas, network, BOLD, left, top, ACCENT)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.8)
    canvas.line(left, top - 5 * mm, left + TEXT_WIDTH, top - 5 * mm)
    name = fit(row.name, NAME, TEXT_WIDTH)
    below = _lines(canvas, name, BOLD, left, top - 7 * mm, BLACK)
    company, colour = row.company, BLACK
    if not company and row.is_guest:
        company, colour = _("Guest"), GREY
    if company:
        _lines(canvas, fit(company, COMPANY, BESIDE_QR), REGULAR, left, below - 1 * mm, colour)
    footer = Fitted(7, [ellipsize(title, REGULAR, 7, BESIDE_QR), when])
    _lines(canvas, footer, REGULAR, left, y + PAD + 2 * 7 * LEADING, GREY)
    qr_left = x + BADGE_WIDTH - PAD - QR_SIZE
    draw_qr(canvas, ticket_qr(code=row.ticket_code).matrix, qr_left, y + QR_BOTTOM, QR_SIZE)
    code = fit(row.ticket_code, TICKET_CODE, QR_SIZE, max_lines=1)
    canvas.setFillColor(GREY)
    canvas.setFont(REGULAR, code.size)
    canvas.drawCentredString(qr_left + QR_SIZE / 2, y + PAD, code.lines[0])


def _lines(
    canvas: Canvas, text: Fitted, font: str, left: float, top: float, colour: Color
) -> float:
    """Draws the lines down from ``top``; returns where the next block may start."""
    canvas.setFillColor(colour)
    canvas.setFont(font, text.size)
    for line in text.lines:
        top -= text.size  # from the top of the line box to its baseline, roughly the ascent
        canvas.drawString(left, top, line)
        top -= text.size * (LEADING - 1)
    return top


def draw_qr(
    canvas: Canvas, matrix: Sequence[Sequence[int]], x: float, y: float, size: float
) -> None:
    """One filled path of rectangles, one per run of dark modules in a row.

    Coordinates are whole modules, row 0 at the top (the y axis is flipped): a reader of the
    PDF gets the matrix back exactly, which is how the tests check the code. The operators are
    written as literal text: reportlab's path API formats every number as a float, which for
    500 badges took longer than the rest of the page.
    """
    count = len(matrix)
    module = size / count
    canvas.saveState()
    canvas.translate(x, y + size)
    canvas.scale(module, -module)
    canvas.setFillColor(BLACK)
    runs = [
        f"{start} {r} {length} 1 re"
        for r, modules in enumerate(matrix)
        for start, length in _runs(modules)
    ]
    canvas.addLiteral("\n".join([*runs, "f"]))
    canvas.restoreState()


def _runs(modules: Sequence[int]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules."""
    runs, start = [], None
    for column, dark in enumerate([*modules, 0]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs


def fit(text: str, style: Style, width: float, *, max_lines: int = 2) -> Fitted:
    """The largest size at which the text fits: one line, else wrapped, else cut with "…"."""
    text = " ".join(text.split())
    size = style.largest
    while size >= style.smallest:
        if pdfmetrics.stringWidth(text, style.font, size) <= width:
            return Fitted(size, [text])
        size -= 0.5
    if max_lines == 1 or not style.wrapped:
        return Fitted(style.smallest, [ellipsize(text, style.font, style.smallest, width)])
    size = style.wrapped
    lines = wrap(text, style.font, size, width)
    while len(lines) > max_lines and size - 0.5 >= style.wrapped_smallest:
        size -= 0.5
        lines = wrap(text, style.font, size, width)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], ellipsize(rest, style.font, size, width)]
    return Fitted(size, lines)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Words onto lines no wider than ``width``; a word longer than a line is broken."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if pdfmetrics.stringWidth(joined, font, size) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while pdfmetrics.stringWidth(word, font, size) > width:
            cut = _longest_prefix(word, font, size, width)
            cut = word.rfind("-", 0, cut) + 1 or cut  # after a hyphen, when there is one
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def ellipsize(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    cut = _longest_prefix(text, font, size, width - pdfmetrics.stringWidth("…", font, size))
    return text[:cut].rstrip() + "…"


def _longest_prefix(text: str, font: str, size: float, width: float) -> int:
    """How many characters fit (at least one, so a line always moves on)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return low
