"""How a person is drawn on a page when there is no photo: their initials."""

from django import template

register = template.Library()


@register.filter
def initials(name: object) -> str:
    """ "Bob Bellini" → "BB", "Anna" → "A"; "?" for no name at all (never the email)."""
    words = [word for word in str(name or "").split() if word[0].isalnum()]
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()
