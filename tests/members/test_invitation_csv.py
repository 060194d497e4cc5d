"""Bulk invitations: a coordinator's CSV becomes a per-row report, and bad input never raises."""

import random

import pytest

from members.services.invitation_csv import (
    ERROR_CODES,
    MAX_BYTES,
    MAX_ROWS,
    PROBLEM_CODES,
    CsvReport,
    CsvRow,
    invitation_csv_parse,
)


def parse(text: str) -> CsvReport:
    return invitation_csv_parse(data=text.encode())


def people(report: CsvReport) -> list[tuple[str, str, str]]:
    return [(row.email, row.name, row.message) for row in report.rows]


def test_it_reads_a_comma_file():
    report = parse("anna@example.com,Anna Bianchi,Ciao!\nbruno@example.com,Bruno Verdi\n")
    assert report.error == ""
    assert people(report) == [
        ("anna@example.com", "Anna Bianchi", "Ciao!"),
        ("bruno@example.com", "Bruno Verdi", ""),
    ]
    assert report.rows[0] == CsvRow(
        line=1, email="anna@example.com", name="Anna Bianchi", message="Ciao!", problem=""
    )
    assert report.valid == report.rows and report.problems == []


def test_it_reads_a_semicolon_file():
    report = parse("anna@example.com;Anna Bianchi;Ciao, a presto\nbruno@example.com;Bruno\n")
    assert people(report) == [
        ("anna@example.com", "Anna Bianchi", "Ciao, a presto"),
        ("bruno@example.com", "Bruno", ""),
    ]


def test_it_does_not_let_quoted_text_pick_the_delimiter():
    report = parse('anna@example.com;"Bianchi, Anna"\nbruno@example.com;"Verdi, Bruno"\n')
    assert people(report) == [
        ("anna@example.com", "Bianchi, Anna", ""),
        ("bruno@example.com", "Verdi, Bruno", ""),
    ]


def test_it_picks_the_delimiter_past_a_first_row_with_only_an_email():
    report = parse("anna@example.com\nbruno@example.com;Bruno Verdi\n")
    assert people(report) == [
        ("anna@example.com", "", ""),
        ("bruno@example.com", "Bruno Verdi", ""),
    ]


def test_it_reads_utf8_with_bom():
    report = invitation_csv_parse(data="\ufeffemail;nome\nanna@example.com;Niccolò\n".encode())
    assert people(report) == [("anna@example.com", "Niccolò", "")]
    assert report.rows[0].line == 2


@pytest.mark.parametrize("header", ["email", "Email", "E-Mail", "INDIRIZZO", "indirizzo email"])
def test_it_skips_a_header(header):
    report = parse(f"{header},name,message\nanna@example.com,Anna,Ciao\n")
    assert people(report) == [("anna@example.com", "Anna", "Ciao")]
    assert report.rows[0].line == 2


def test_it_keeps_a_first_row_that_is_not_a_header():
    report = parse("anna@example.com,Anna\nbruno@example.com,Bruno\n")
    assert [row.line for row in report.rows] == [1, 2]
    report = parse("Name,Email\nanna@example.com,Anna\n")
    assert [(row.line, row.problem) for row in report.rows] == [(1, "invalid_email"), (2, "")]


def test_it_skips_only_the_first_header():
    report = parse("email,name\nanna@example.com,Anna\nemail,name\n")
    assert [(row.line, row.problem) for row in report.rows] == [(2, ""), (3, "invalid_email")]


def test_it_reads_quoted_fields_with_delimiters_and_newlines():
    text = (
        "email,name,message\r\n"
        'anna@example.com,"Bianchi, Anna","Cara Anna;\r\nti aspettiamo, ""venerdì"".\r\n"\r\n'
        'bruno@example.com,Bruno,"Ciao"\r\n'
    )
    report = parse(text)
    assert people(report) == [
        ("anna@example.com", "Bianchi, Anna", 'Cara Anna;\nti aspettiamo, "venerdì".'),
        ("bruno@example.com", "Bruno", "Ciao"),
    ]
    # A spreadsheet shows the quoted paragraph as one row.
    assert [row.line for row in report.rows] == [2, 3]


def test_it_accepts_crlf_and_lf_and_ignores_blank_rows():
    report = parse("anna@example.com;Anna\r\n\r\n   \r\n;;;\nbruno@example.com;Bruno\n\n")
    assert people(report) == [("anna@example.com", "Anna", ""), ("bruno@example.com", "Bruno", "")]
    assert [row.line for row in report.rows] == [1, 5]


def test_it_ignores_extra_columns():
    report = parse("anna@example.com,Anna,Ciao,Firenze,+39 055 123456\n")
    assert people(report) == [("anna@example.com", "Anna", "Ciao")]


def test_it_normalises_addresses_and_names():
    report = parse('  Anna.Bianchi@Example.COM\u200b ,"  Anna \n  Bianchi  "\n')
    assert people(report) == [("anna.bianchi@example.com", "Anna Bianchi", "")]


def test_it_flags_a_missing_email():
    report = parse("anna@example.com,Anna\n  ,Bruno\n")
    assert [(row.line, row.name, row.problem) for row in report.problems] == [
        (2, "Bruno", "missing_email")
    ]


@pytest.mark.parametrize(
    "address", ["anna", "anna@", "@example.com", "anna@example", "Anna <anna@example.com>"]
)
def test_it_flags_an_invalid_email(address):
    report = parse(f'"{address}",Anna\nbruno@example.com,Bruno\n')
    assert [row.problem for row in report.rows] == ["invalid_email", ""]


def test_it_flags_duplicates_ignoring_case_and_spaces():
    report = parse(
        "anna@example.com,Anna\n"
        "ANNA@Example.com ,Anna 2\n"
        "bruno@example.com\n"
        " anna@EXAMPLE.com,Anna 3\n"
    )
    assert [(row.line, row.problem) for row in report.rows] == [
        (1, ""),
        (2, "duplicate_in_file"),
        (3, ""),
        (4, "duplicate_in_file"),
    ]
    assert [row.email for row in report.valid] == ["anna@example.com", "bruno@example.com"]


def test_it_flags_too_long_names_and_messages():
    rows = [
        f"a@example.com,{'n' * 150},{'m' * 1000}",
        f"b@example.com,{'n' * 151},",
        f"c@example.com,Carla,{'m' * 1001}",
    ]
    report = parse("\n".join(rows))
    assert [row.problem for row in report.rows] == ["", "too_long", "too_long"]


def test_it_counts_problems_by_code():
    report = parse("anna@example.com\nnope\n,Bruno\nANNA@example.com\nnope2\n")
    assert report.counts == {
        "missing_email": 1,
        "invalid_email": 2,
        "duplicate_in_file": 1,
        "too_long": 0,
    }
    assert [row.line for row in report.problems] == [2, 3, 4, 5]
    assert set(report.counts) == set(PROBLEM_CODES)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ('=HYPERLINK("http://x")', 'HYPERLINK("http://x")'),
        ("+1", "1"),
        ("-2", "2"),
        ("@SUM(A1)", "SUM(A1)"),
        ("=+-@Anna", "Anna"),
        ("= =Anna", "Anna"),
    ],
)
def test_it_strips_formulas_and_flags_the_row(value, kept):
    escaped = value.replace('"', '""')
    report = parse(f'anna@example.com,"{escaped}","{escaped}"\n')
    [row] = report.rows
    assert (row.name, row.message, row.cleaned, row.problem) == (kept, kept, True, "")


def test_it_strips_formulas_behind_tabs_and_carriage_returns():
    report = parse(
        'anna@example.com,"\tAnna","\r=Ciao"\nbruno@example.com,Bruno-Verdi,Ciao - a presto\n'
    )
    assert people(report) == [
        ("anna@example.com", "Anna", "Ciao"),
        ("bruno@example.com", "Bruno-Verdi", "Ciao - a presto"),
    ]
    assert [row.cleaned for row in report.rows] == [True, False]


def _addresses(count: int) -> bytes:
    return "".join(f"person{n}@example.com;Person {n}\n" for n in range(count)).encode()


def test_it_accepts_the_maximum_number_of_rows():
    report = invitation_csv_parse(data=b"email;name\n" + _addresses(MAX_ROWS))
    assert report.error == ""
    assert len(report.valid) == MAX_ROWS == 10_000
    assert report.rows[-1].line == MAX_ROWS + 1


def test_it_refuses_a_file_with_one_row_too_many():
    report = invitation_csv_parse(data=b"email;name\n" + _addresses(MAX_ROWS + 1))
    assert (report.error, report.rows) == ("too_many_rows", [])


def test_it_counts_blank_lines_and_the_header_out_of_the_row_limit():
    data = b"email;name\n\n\n" + _addresses(MAX_ROWS) + b"\n;;\n"
    assert invitation_csv_parse(data=data).error == ""


def test_it_flags_every_copy_in_a_large_file_of_duplicates():
    # A set, not a scan of earlier rows: this stays linear in the number of rows.
    data = b"".join(b"Same@Example.com,Person %d\n" % n for n in range(MAX_ROWS))
    report = invitation_csv_parse(data=data)
    assert len(report.valid) == 1
    assert report.counts["duplicate_in_file"] == MAX_ROWS - 1


def test_it_refuses_a_file_over_the_size_limit():
    data = b"anna@example.com," + b"x" * MAX_BYTES + b"\n"
    assert (invitation_csv_parse(data=data).error, len(data) > MAX_BYTES) == ("too_big", True)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        random.Random(4).randbytes(4096),
        b"anna@example.com,Anna\x00\n",
        "email,name\n".encode("utf-16"),
        b"anna@example.com,\x01\x02\x03\x04\n",
    ],
    ids=["png", "random", "nul", "utf-16", "controls"],
)
def test_it_refuses_binary_data(data):
    assert invitation_csv_parse(data=data) == CsvReport(rows=[], error="not_text")


def test_it_refuses_invalid_utf8():
    # What Excel's plain "CSV (separato da ;)" writes: Windows-1252.
    data = "anna@example.com;Niccolò Città\n".encode("cp1252")
    assert invitation_csv_parse(data=data) == CsvReport(rows=[], error="not_text")


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"  \r\n\n\t\n", b";;;\n;;\n", b"email;nome\n\n"]
)
def test_it_reports_an_empty_file(data):
    assert invitation_csv_parse(data=data) == CsvReport(rows=[], error="empty")


def test_it_reports_a_file_without_an_email_column():
    report = parse(";Anna;Ciao\n;Bruno;Ciao\n")
    assert (report.error, report.rows) == ("no_columns", [])


def test_it_reports_an_unclosed_quote_in_a_large_file():
    data = b'anna@example.com,"Anna\n' + _addresses(8_000)
    assert invitation_csv_parse(data=data) == CsvReport(rows=[], error="malformed")


def test_it_reads_an_unclosed_quote_in_a_small_file_as_one_row():
    report = parse('anna@example.com,"Anna\nbruno@example.com,Bruno\n')
    assert people(report) == [("anna@example.com", "Anna bruno@example.com,Bruno", "")]


def test_it_never_raises_on_scrambled_input():
    alphabet = ["a", "@", "x.it", ",", ";", '"', "\n", "\r", "=", " ", "é", "\ufeff", "\x00"]
    for seed in range(500):
        rng = random.Random(seed)
        text = "".join(rng.choices(alphabet, k=rng.randrange(60)))
        report = parse(text)
        assert report.error in {"", *ERROR_CODES}
        assert not (report.error and report.rows)
        assert {row.problem for row in report.rows} <= {"", *PROBLEM_CODES}


def test_it_documents_every_code():
    codes = {row.problem for row in parse("a@x.it\nnope\n,B\nA@x.it\nb@x.it," + "n" * 151).rows}
    assert codes - {""} == set(PROBLEM_CODES)
    assert set(ERROR_CODES) == {
        "empty",
        "too_big",
        "too_many_rows",
        "not_text",
        "no_columns",
        "malformed",
    }
