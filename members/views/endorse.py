"""Members vouching for pending applicants they know."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.forms.applications import EndorsementForm
from members.http import MemberNetworkRequest
from members.models import MembershipApplication
from members.selectors.applications import pending_applicants
from members.services.applications import endorsement_add
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.paging import page_links


@network_view(Role.MEMBER)
def applicant_list(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    page = pending_applicants(
        network=network, endorser=request.user, before_id=query_int(request.GET.get("before"))
    )
    context = {
        "network": network,
        "applicants": page.rows,
        **page_links(request, page=page, param="before"),
        "form": EndorsementForm(),
    }
    return render(request, "members/applicants.html", context)


@require_POST
@network_view(Role.MEMBER)
def applicant_endorse(
    request: MemberNetworkRequest, network_slug: str, application_id: int
) -> HttpResponse:
    network = request.network
    application = get_object_or_404(
        MembershipApplication,
        pk=application_id,
        network=network,
        status=MembershipApplication.Status.PENDING,
    )
    form = EndorsementForm(request.POST)
    if form.is_valid() and application.user_id != request.user.pk:
        endorsement_add(
            application=application,
            endorser=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Thank you: the coordinators will see your endorsement."))
    return redirect("applicants", network_slug=network.slug)
