from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.4567 gives "46%"; with nothing to divide by, a dash."""
    if value is None:
        return "–"  # noqa: RUF001 (a dash, as tables print "no value")
    return f"{number_format(round(value * 100), 0)}%"


@register.filter
def dash(value: object) -> object:
    return "–" if value is None else value  # noqa: RUF001


@register.filter
def decimal(value: float | None) -> str:
    """2.456 gives "2.5" ("2,5" in Italian); with nothing to divide by, a dash."""
    if value is None:
        return "–"  # noqa: RUF001
    return str(number_format(round(value, 1), 1))


@register.filter
def euro(value: object) -> str:
    """Whole euro with the language's thousands separator: "12.500 €" in Italian."""
    whole = Decimal(str(value or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, 0, force_grouping=True)} €"
