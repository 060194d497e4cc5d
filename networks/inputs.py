"""Bounds on what people type and what URLs carry: dates, email addresses, numbers.

One place for every app, so a form, a service and a query string agree on what is acceptable.
It lives in networks, the lowest app, because members, events and stats all read input.
"""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.utils import formats
from django.utils.translation import gettext_lazy as _

# --- Dates ------------------------------------------------------------------------------------
# Nothing in ClubIN happened before 2000 or is planned past 2100; outside that range a typo (year
# 1, year 20260) is certain, and date arithmetic near year 1 or 9999 overflows on the pages.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_typed_date(value: date | datetime | None) -> None:
    """A date or date-time a person typed must fall between EARLIEST_DATE and LATEST_DATE."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={
                "earliest": formats.date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
            },
        )


# --- Email addresses --------------------------------------------------------------------------
# The columns' length (Django's EmailField, allauth's EmailAddress). Forms default to 320, the
# RFC's limit, so an address between the two used to pass the form and break the insert.
EMAIL_MAX_LENGTH = 254


def validate_email_address(value: str) -> None:
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An email address can be at most %(limit)d characters long."),
            code="email_too_long",
            params={"limit": EMAIL_MAX_LENGTH},
        )
    validate_email(value)


class EmailField(forms.EmailField):
    """A form's email field, no longer than any column that stores it."""

    default_validators = [validate_email_address]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
        # validate_email_address says it in words; Django's length check would say it again.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]


# --- Numbers in URLs --------------------------------------------------------------------------
# The largest id a database column holds (bigint): a larger number names nothing.
MAX_ID = 2**63 - 1


def query_int(raw: str | None, *, maximum: int = MAX_ID) -> int | None:
    """A whole number from a query string or form value, or None when it is not one.

    Only ASCII digits: str.isdigit() also accepts "²" and other digits int() refuses, which
    turned a crafted query string into a 500.
    """
    # Long strings too: int() refuses more than 4,300 digits, and no id has more than 19.
    if not raw or len(raw) > 19 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if value <= maximum else None


class ModelMultipleIdField(forms.ModelMultipleChoiceField):
    """Checkboxes of rows by id; an id no row can have is an invalid choice, not a crash.

    Django checks each value by building a query, which SQLite only runs (and overflows on) for
    the final "id in (...)": a 30-digit id answered 500 there.
    """

    def _check_values(self, value: Any) -> Any:
        for raw in value if isinstance(value, list | tuple) else []:
            if query_int(str(raw)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": raw},
                )
        return super()._check_values(value)  # type: ignore[misc]  # private hook, not in the stubs
