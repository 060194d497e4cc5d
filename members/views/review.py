"""The coordinators' review queue: filter, read, and decide one or many applications."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from members.forms.applications import BulkDecisionForm, DecisionForm
from members.http import MemberNetworkRequest
from members.models import MembershipApplication, Sector
from members.selectors.applications import (
    Cursor,
    QueueFilters,
    application_counts,
    review_queue,
)
from members.services.applications import (
    AlreadyDecided,
    Decision,
    application_decide,
    applications_decide,
)
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.paging import page_links

Status = MembershipApplication.Status


def _filters(request: HttpRequest) -> QueueFilters:
    status = request.GET.get("status", Status.PENDING)
    sector = request.GET.get("sector", "")
    age = query_int(request.GET.get("older_than"), maximum=3649)
    sponsored = request.GET.get("sponsored", "")
    return QueueFilters(
        status=status if status in Status.values else Status.PENDING,
        sector=sector if sector in Sector.values else "",
        older_than_days=age,
        sponsored={"yes": True, "no": False}.get(sponsored),
    )


@network_view(Role.COORDINATOR)
def queue(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    filters = _filters(request)
    after = Cursor.decode(request.GET.get("after", ""))
    page = review_queue(network=network, filters=filters, after=after)
    context = {
        "network": network,
        "counts": application_counts(network=network),
        "applications": page.rows,
        **page_links(request, page=page, param="after"),
        "filters": filters,
        "sectors": Sector.choices,
        "statuses": Status.choices,
        "decision_form": DecisionForm(),
        "bulk_decisions": MembershipApplication.decisions_for(filters.status),
    }
    return render(request, "members/review_queue.html", context)


@require_POST
@network_view(Role.COORDINATOR)
def decide(request: MemberNetworkRequest, network_slug: str, application_id: int) -> HttpResponse:
    network = request.network
    application = get_object_or_404(MembershipApplication, pk=application_id, network=network)
    form = DecisionForm(request.POST)
    outcome = ""
    if not form.is_valid():
        outcome = _("Choose approve, waitlist or reject.")
    else:
        try:
            decision = application_decide(
                network=network,
                application_id=application.pk,
                action=form.cleaned_data["action"],
                decided_by=request.user,
                note=form.cleaned_data["note"],
            )
        except AlreadyDecided:
            outcome = _("Already decided by someone else: nothing changed.")
        else:
            outcome = _describe(decision)
    if request.headers.get("HX-Request"):
        application.refresh_from_db()
        context = {"application": application, "outcome": outcome, "network": network}
        return render(request, "members/_application_decided.html", context)
    messages.info(request, outcome)
    return redirect("manage_applications", network_slug=network.slug)


@require_POST
@network_view(Role.COORDINATOR)
def bulk_decide(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Select at least one application and a decision."))
    else:
        decision = applications_decide(
            network=network,
            application_ids=form.cleaned_data["applications"],
            action=form.cleaned_data["action"],
            decided_by=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(request, _describe(decision))
        if decision.still_waiting:
            count = len(decision.still_waiting)
            messages.info(
                request,
                ngettext(
                    "%(count)d application already had that decision: nothing changed.",
                    "%(count)d applications already had that decision: nothing changed.",
                    count,
                )
                % {"count": count},
            )
        if decision.already_decided:
            count = len(decision.already_decided)
            messages.info(
                request,
                ngettext(
                    "%(count)d application was already decided.",
                    "%(count)d applications were already decided.",
                    count,
                )
                % {"count": count},
            )
    return redirect("manage_applications", network_slug=network.slug)


def _describe(decision: Decision) -> str:
    return _(
        "Approved: %(a)d · approved, waiting for a place: %(q)d · waitlisted: %(w)d · "
        "rejected: %(r)d."
    ) % {
        "a": len(decision.approved),
        "q": len(decision.approved_waiting),
        "w": len(decision.waitlisted),
        "r": len(decision.rejected),
    }
