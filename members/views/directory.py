"""A network's member directory, for its active members and coordinators."""

from django.http import HttpResponse
from django.shortcuts import render

from members.forms.profile import DirectorySearchForm
from members.http import MemberNetworkRequest
from members.selectors.directory import network_directory, network_directory_cities
from networks.access import Role, network_view


@network_view(Role.MEMBER)
def directory(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = DirectorySearchForm(request.GET)
    filters = form.filters()
    after = request.GET.get("after")
    entries, next_cursor = network_directory(
        network=network,
        query=filters["q"],
        sector=filters["sector"],
        city=filters["city"],
        after=after,
    )
    # The next page keeps the search and filters; only the cursor changes.
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "network": network,
        "form": form,
        "entries": entries,
        "cities": network_directory_cities(network=network),
        "filtered": any(filters.values()),
        "first_page_query": params.urlencode(),
        "next_page_query": "",
        "is_first_page": not after,
    }
    if next_cursor:
        params["after"] = next_cursor
        context["next_page_query"] = params.urlencode()
    return render(request, "members/directory.html", context)
