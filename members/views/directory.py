"""A network's member directory, for its active members and coordinators."""

from django.http import HttpResponse
from django.shortcuts import render

from members.forms.profile import DirectorySearchForm
from members.http import MemberNetworkRequest
from members.selectors.directory import network_directory, network_directory_cities
from networks.access import Role, network_view
from networks.paging import page_links


@network_view(Role.MEMBER)
def directory(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = DirectorySearchForm(request.GET)
    filters = form.filters()
    page = network_directory(
        network=network,
        query=filters["q"],
        sector=filters["sector"],
        city=filters["city"],
        after=request.GET.get("after"),
    )
    context = {
        "network": network,
        "form": form,
        "entries": page.rows,
        "cities": network_directory_cities(network=network),
        "filtered": any(filters.values()),
        # The next page keeps the search and filters; only the cursor changes.
        **page_links(request, page=page, param="after"),
    }
    return render(request, "members/directory.html", context)
