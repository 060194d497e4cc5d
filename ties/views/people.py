"""The member pickers' search, under /<network>/people/search/: JSON for people-picker.js."""

from dataclasses import asdict

from allauth.core.internal import ratelimit
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from ties.forms import PeopleSearchForm
from ties.selectors.people import MIN_QUERY, Picker, people_search


def people_search_url(network_slug: str, picker: Picker) -> str:
    """Where a form's picker searches: the select carries it for the script."""
    url = reverse("ties_people_search", kwargs={"network_slug": network_slug})
    return f"{url}?for={picker.value}"


@network_view(Role.MEMBER)
@require_GET
def people_search_view(request: MemberNetworkRequest, network_slug: str) -> JsonResponse:
    """``{"results": [{"id", "name", "company"}, …]}``: at most 20 of the people the form
    named by ``for`` accepts whose name or company holds every word of ``q``.

    A ``for`` or a ``q`` that no form sends is a 400; a ``q`` shorter than two letters finds
    nobody, and costs neither a query nor a try of the rate limit.
    """
    form = PeopleSearchForm.from_query(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": []}, status=400)
    query = form.cleaned_data["q"]
    if len(query) < MIN_QUERY:
        return JsonResponse({"results": []})
    # The script asks as one types: a limit keeps a loop of requests off the database. The
    # limit is allauth's, configured with the others in ACCOUNT_RATE_LIMITS; its public
    # consume() never counts a GET, so this calls the function it wraps, saying limit_get
    # (allauth is pinned in requirements/; the test of this limit fails if that call changes).
    if not ratelimit.consume(
        request, app="allauth.account", action="ties_people_search", limit_get=True
    ):
        return JsonResponse({"results": []}, status=429)
    found = people_search(
        network=request.network,
        viewer=request.user,
        picker=Picker(form.cleaned_data["picker"]),
        query=query,
    )
    return JsonResponse({"results": [asdict(person) for person in found]})
