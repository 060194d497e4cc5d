"""Exports leave a trace, and their cells cannot run as spreadsheet formulas."""

from typing import Any

from members.models import DecisionLogEntry
from networks.models import Network

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_record(*, network: Network, exported_by: Any, count: int) -> None:
    DecisionLogEntry.objects.create(
        network=network,
        actor=exported_by,
        action=DecisionLogEntry.Action.EXPORTED,
        note=f"{count} members",
    )
