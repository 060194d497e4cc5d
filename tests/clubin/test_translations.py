"""The Italian catalogue is complete and its committed compiled file matches it."""

import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"


def _entries(po: str) -> list[str]:
    blocks = po.split("\n\n")[1:]  # the first block is the header
    return [b for b in blocks if "msgid" in b and not b.lstrip().startswith("#~")]


def _key(entry: str) -> str | None:
    """The compiled catalogue's key: "context\\x04msgid", or None for multi-line ids."""
    msgid = re.search(r'^msgid "(.+)"$', entry, re.M)
    if not msgid or "\\" in msgid.group(1):
        return None
    context = re.search(r'^msgctxt "(.+)"$', entry, re.M)
    return f"{context.group(1)}\x04{msgid.group(1)}" if context else msgid.group(1)


def test_it_has_no_untranslated_or_fuzzy_italian_entry():
    entries = _entries((CATALOGUE / "django.po").read_text())
    assert entries, "the Italian catalogue is empty"
    missing = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert missing == []
    assert fuzzy == []


def test_it_ships_a_compiled_catalogue_in_step_with_the_source():
    entries = _entries((CATALOGUE / "django.po").read_text())
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = compiled._catalog  # type: ignore[attr-defined]  # gettext keeps it private
    keys = [k for k in map(_key, entries) if k]
    assert len(keys) > 100
    stale = [k for k in keys if k not in catalog and (k, 0) not in catalog]
    assert stale == []
