"""Date formats per language (``FORMAT_MODULE_PATH``), for dates written inside sentences.

Prose formats use "E", the month as it reads inside a sentence. Django's Italian catalogue
capitalises it ("12 Marzo"), which Italian does not; the project's catalogue translates these
entries in lower case and, being first in ``LOCALE_PATHS``, wins. They are listed here so that
``makemessages`` keeps them.
"""

from django.utils.translation import pgettext_lazy

MONTHS_IN_PROSE = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
