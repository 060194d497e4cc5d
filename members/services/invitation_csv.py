"""Reading a coordinator's CSV of people to invite, into a per-row report shown before sending.

Pure parsing, no database. It never raises on what was uploaded: a bad row becomes a row with a
problem code, a bad file becomes a report with an error code and no rows. The view turns the
codes into translated text.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from members.services.export import FORMULA_STARTS
from networks.inputs import validate_email_address

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 150
MAX_MESSAGE = 1000

# For the view author, who writes the translated labels.
PROBLEM_CODES = {
    "missing_email": "The row has no email address in its first column.",
    "invalid_email": "The first column is not a valid email address.",
    "duplicate_in_file": "The address already appears on an earlier row (ignoring case).",
    "too_long": f"The name is over {MAX_NAME} characters or the message over {MAX_MESSAGE}.",
}
ERROR_CODES = {
    "empty": "The file has no rows to read (it is empty, blank, or only a header).",
    "too_big": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
    "too_many_rows": f"The file has more than {MAX_ROWS} rows; nothing was read from it.",
    "not_text": "The file is not UTF-8 text (binary, or an Excel 'CSV' saved as Windows-1252).",
    "no_columns": "No row has an email address in its first column.",
    "malformed": "The file cannot be read as CSV, usually a quote that is never closed.",
}

# Controls other than tab, newline, vertical tab, form feed and carriage return never appear in
# a spreadsheet's export; they are how binary data looks once it happens to decode.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A quoted field may hold either delimiter, so quoted text does not vote on which one it is.
_QUOTED = re.compile(r'"[^"]*"')
_DELIMITER_SAMPLE = 64 * 1024
# Copying addresses from web pages and mail clients brings zero-width spaces and stray BOMs.
_EMAIL_EDGES = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_FORMULA_START = re.compile("^[" + re.escape("".join(FORMULA_STARTS)) + r"\s]+")
_HEADERS = {
    "email",
    "e-mail",
    "e mail",
    "mail",
    "email address",
    "e-mail address",
    "indirizzo",
    "indirizzo email",
    "indirizzo e-mail",
    "indirizzo mail",
    "posta elettronica",
}


@dataclass(frozen=True, slots=True)
class CsvRow:
    # The row number a spreadsheet shows: the header and blank rows count, and a quoted field
    # spanning several lines is one row.
    line: int
    email: str
    name: str
    message: str
    problem: str
    # True when leading formula characters were removed from the name or the message.
    cleaned: bool = False


@dataclass(frozen=True, slots=True)
class CsvReport:
    rows: list[CsvRow]
    error: str = ""

    @property
    def valid(self) -> list[CsvRow]:
        return [row for row in self.rows if not row.problem]

    @property
    def problems(self) -> list[CsvRow]:
        return [row for row in self.rows if row.problem]

    @property
    def counts(self) -> dict[str, int]:
        """Every problem code with its count, zeros included, so a template can show any of them."""
        counts = dict.fromkeys(PROBLEM_CODES, 0)
        for row in self.rows:
            if row.problem:
                counts[row.problem] += 1
        return counts


def invitation_csv_parse(*, data: bytes) -> CsvReport:
    if len(data) > MAX_BYTES:
        return CsvReport(rows=[], error="too_big")
    text = _text(data)
    if text is None:
        return CsvReport(rows=[], error="not_text")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[CsvRow] = []
    seen: set[str] = set()  # a set, not a scan of earlier rows: 10,000 rows stay linear
    first = True
    try:
        for line, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if first and _is_header(cells[0]):
                first = False
                continue
            first = False
            rows.append(_row(line=line, cells=cells, seen=seen))
            # Refuse the whole file rather than invite the first 10,000 and drop the rest.
            if len(rows) > MAX_ROWS:
                return CsvReport(rows=[], error="too_many_rows")
    except csv.Error:
        # In practice an unclosed quote swallowing the rest of the file past csv's field limit.
        return CsvReport(rows=[], error="malformed")
    if not rows:
        return CsvReport(rows=[], error="empty")
    if all(row.problem == "missing_email" for row in rows):
        return CsvReport(rows=[], error="no_columns")
    return CsvReport(rows=rows)


def _text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if _BINARY.search(text) else text


def _delimiter(text: str) -> str:
    """The delimiter of the first line that has one outside quotes: `;` if it has more."""
    # Not only the first non-empty line: a file may start with a row holding just an email.
    unquoted = _QUOTED.sub("", text[:_DELIMITER_SAMPLE])
    for line in unquoted.splitlines():
        commas, semicolons = line.count(","), line.count(";")
        if commas or semicolons:
            return ";" if semicolons > commas else ","
    return ","


def _is_header(cell: str) -> bool:
    words = " ".join(cell.lower().replace("_", " ").replace(":", " ").replace("*", " ").split())
    return words in _HEADERS


def _row(*, line: int, cells: list[str], seen: set[str]) -> CsvRow:
    email = _EMAIL_EDGES.sub("", cells[0]).lower()
    # Whitespace runs become one space: a newline in a name must never reach a mail header.
    name, name_cleaned = _defuse(" ".join(cells[1].split()) if len(cells) > 1 else "")
    message, message_cleaned = _defuse(
        cells[2].replace("\r\n", "\n").replace("\r", "\n") if len(cells) > 2 else ""
    )
    problem = _problem(email=email, name=name, message=message, seen=seen)
    return CsvRow(
        line=line,
        email=email,
        name=name,
        message=message,
        problem=problem,
        cleaned=name_cleaned or message_cleaned,
    )


def _defuse(value: str) -> tuple[str, bool]:
    """Drop leading formula characters, which would run as a formula if exported again."""
    stripped = value.strip()
    text = _FORMULA_START.sub("", stripped)
    return text, text != stripped


def _problem(*, email: str, name: str, message: str, seen: set[str]) -> str:
    if not email:
        return "missing_email"
    try:
        validate_email_address(email)  # includes the column's length
    except ValidationError:
        return "invalid_email"
    if email in seen:
        return "duplicate_in_file"
    seen.add(email)
    # After the duplicate check, so a long first occurrence still marks later ones as copies.
    if len(name) > MAX_NAME or len(message) > MAX_MESSAGE:
        return "too_long"
    return ""
