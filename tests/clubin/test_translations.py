"""The Italian catalogue is complete and its committed compiled file matches it."""

import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
ENTRY = re.compile(r'^msgid "(.*)"$', re.M)


def _entries(po: str) -> list[str]:
    return [
        block for block in po.split("\n\n")[1:] if "msgid" in block and not block.startswith("#~")
    ]


def test_it_has_no_untranslated_or_fuzzy_italian_entry():
    po = (CATALOGUE / "django.po").read_text()
    entries = _entries(po)
    assert entries, "the Italian catalogue is empty"
    missing = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert missing == [] and fuzzy == []


def test_it_ships_a_compiled_catalogue_in_step_with_the_source():
    po = (CATALOGUE / "django.po").read_text()
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    single_line_ids = [m for m in ENTRY.findall(po) if m and "\\" not in m]
    catalog = compiled._catalog  # type: ignore[attr-defined]  # gettext keeps it private
    stale = [
        msgid for msgid in single_line_ids if msgid not in catalog and (msgid, 0) not in catalog
    ]
    assert stale == []
