"""The coordinators' export of their network's members, safe to open in a spreadsheet."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.http import MemberNetworkRequest
from members.selectors.export import member_export_rows
from members.services.export import export_record, spreadsheet_safe
from networks.access import Role, network_view


def export_columns() -> list[str]:
    """The header row in the active language: the coordinator's, who asked for the file."""
    return [
        _("Card"), _("First name"), _("Last name"), _("Email"), _("Company"), _("Role"),
        _("Sector"), _("City"), _("Status"), _("Joined on"), _("Valid until"),
    ]  # fmt: skip


@network_view(Role.COORDINATOR)
def members_csv(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    rows = member_export_rows(network=network)
    export_record(network=network, exported_by=request.user, count=len(rows))
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{network.slug}-members-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # spreadsheets read UTF-8 correctly only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow(export_columns())
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response
