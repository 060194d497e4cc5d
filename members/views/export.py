"""The coordinators' export of their network's members, safe to open in a spreadsheet."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from members.http import MemberNetworkRequest
from members.selectors.export import member_export_rows
from members.services.export import export_record, spreadsheet_safe
from networks.access import Role, network_view

COLUMNS = (
    "card", "first_name", "last_name", "email", "company", "role", "sector", "city",
    "status", "joined_on", "valid_until",
)  # fmt: skip


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
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response
