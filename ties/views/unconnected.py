"""Members without a connection 30 days after joining, for coordinators:
/<network>/manage/unconnected/."""

from django.http import HttpResponse
from django.shortcuts import render

from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from networks.paging import page_links
from ties.selectors.unconnected import UNCONNECTED_AFTER_DAYS, unconnected_members


@network_view(Role.COORDINATOR)
def unconnected_members_view(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    page = unconnected_members(network=request.network, after=request.GET.get("after"))
    context = {
        "network": request.network,
        "members": page.rows,
        "days": UNCONNECTED_AFTER_DAYS,
        **page_links(request, page=page, param="after"),
    }
    return render(request, "ties/unconnected.html", context)
