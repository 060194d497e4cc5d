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
