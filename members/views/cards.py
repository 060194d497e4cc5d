"""The public check of a scanned card, and the coordinators' "renewal paid" button."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.http import MemberNetworkRequest
from members.selectors.cards import card_check, network_membership_get
from members.services import renewals
from networks.access import Role, network_view
from networks.models import Membership


@never_cache  # validity changes from one day to the next; a cached "valid" would lie
def card_verify(request: HttpRequest, token: str) -> HttpResponse:
    check = card_check(token=token)
    if check is None:
        raise Http404
    return render(request, "members/card_verify.html", {"check": check})


@network_view(Role.COORDINATOR)
@require_POST
def membership_renew(
    request: MemberNetworkRequest, network_slug: str, membership_id: int
) -> HttpResponse:
    network = request.network
    membership = network_membership_get(network=network, membership_id=membership_id)
    if membership is None:
        raise Http404
    name = membership.user.get_full_name() or membership.card_label
    try:
        # Signed in for sure: the middleware let a coordinator through, never an anonymous visitor.
        renewals.membership_renew(membership=membership, renewed_by=request.user)
    except renewals.AlreadyRenewed:
        messages.info(
            request,
            _("No renewal is due: %(name)s's card is valid until %(date)s.")
            % {"name": name, "date": _date(membership)},
        )
    except renewals.NotRenewable:
        messages.error(
            request,
            _("%(name)s's membership is %(status)s: it cannot be renewed.")
            % {"name": name, "status": membership.get_status_display()},
        )
    except renewals.NetworkFull:
        messages.error(
            request,
            _("The network is at its cap: free a place or raise the cap to renew %(name)s.")
            % {"name": name},
        )
    else:
        messages.success(
            request,
            _("Renewal recorded: %(name)s's card is valid until %(date)s.")
            % {"name": name, "date": _date(membership)},
        )
    return _back_to_roster(request)


def _back_to_roster(request: MemberNetworkRequest) -> HttpResponseRedirect:
    """The roster page the button was on: its search, filters and page, parsed and re-encoded
    so only a query string of our own path comes back out."""
    url = reverse("manage_members", kwargs={"network_slug": request.network.slug})
    query = QueryDict(request.POST.get("back", "")[:2000]).urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _date(membership: Membership) -> str:
    if membership.valid_until is None:
        return "-"
    return formats.date_format(membership.valid_until, "DATE_FORMAT")
