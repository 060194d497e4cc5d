"""The coordinators' roster: every membership, searched, filtered and paged."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from members.forms.roster import RosterSearchForm
from members.http import MemberNetworkRequest
from members.selectors.roster import network_roster, network_roster_count
from networks.access import Role, network_view
from networks.paging import page_links


@network_view(Role.COORDINATOR)
def roster(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = RosterSearchForm(request.GET)
    filters = form.filters()
    page = network_roster(network=network, filters=filters, after=request.GET.get("after"))
    context = {
        "network": network,
        "form": form,
        "filters": filters,
        "memberships": page.rows,
        "total": network_roster_count(network=network, filters=filters),
        "today": timezone.localdate(),
        # "Renewal paid" comes back to this page with the same search and page.
        "back": request.GET.urlencode(),
        **page_links(request, page=page, param="after"),
    }
    return render(request, "members/roster.html", context)
