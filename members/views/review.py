"""The coordinators' review queue: filter, read, and decide one or many applications."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    undo_offer,
)
from members.services.applications import (
    AlreadyDecided,
    Decision,
    application_decide,
    applications_decide,
)
from members.services.undo import (
    UndoConflict,
    UndoExpired,
    UndoUnavailable,
    application_decision_undo,
)
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.models import Network
from networks.paging import BEFORE, page_links

Status = MembershipApplication.Status


def _filters(request: HttpRequest) -> QueueFilters:
    status = request.GET.get("status", Status.PENDING)
    sector = request.GET.get("sector", "")
    age = query_int(request.GET.get("older_than"), maximum=3649)
    sponsored = request.GET.get("sponsored", "")
    # Any text is a search; too long, or with a NUL PostgreSQL refuses, it is cut or cleaned.
    query = request.GET.get("q", "")[:100].replace("\x00", "").strip()
    return QueueFilters(
        status=status if status in Status.values else Status.PENDING,
        sector=sector if sector in Sector.values else "",
        older_than_days=age,
        sponsored={"yes": True, "no": False}.get(sponsored),
        query=query,
    )


@network_view(Role.COORDINATOR)
def queue(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    filters = _filters(request)
    after = Cursor.decode(request.GET.get("after", ""))
    before = Cursor.decode(request.GET.get(BEFORE, ""))
    page = review_queue(network=network, filters=filters, after=after, before=before)
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
        "undo": undo_offer(network=network, key=request.GET.get("undo", ""), user=request.user),
    }
    return render(request, "members/review_queue.html", context)


def _queue_with_undo(network: Network, key: str, *, undoable: bool) -> HttpResponseRedirect:
    """Back to the queue; after a decision that can be undone, the page offers "Undo"."""
    url = reverse("manage_applications", kwargs={"network_slug": network.slug})
    return HttpResponseRedirect(f"{url}?undo={key}" if undoable else url)


@require_POST
@network_view(Role.COORDINATOR)
def decide(request: MemberNetworkRequest, network_slug: str, application_id: int) -> HttpResponse:
    network = request.network
    application = get_object_or_404(MembershipApplication, pk=application_id, network=network)
    form = DecisionForm(request.POST)
    outcome = ""
    decision = None
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
    undoable = decision is not None and decision.undoable
    if request.headers.get("HX-Request"):
        application.refresh_from_db()
        context = {
            "application": application,
            "outcome": outcome,
            "network": network,
            "undo": undo_offer(network=network, key=decision.key, user=request.user)
            if decision is not None and undoable
            else None,
            # The state tabs' counts, swapped in out of band: they move with the decision.
            "counts": application_counts(network=network),
            "statuses": Status.choices,
            "filters": QueueFilters(status=request.POST.get("status", Status.PENDING)),
        }
        return render(request, "members/_application_decided.html", context)
    messages.info(request, outcome)
    return _queue_with_undo(network, decision.key if decision else "", undoable=undoable)


@require_POST
@network_view(Role.COORDINATOR)
def bulk_decide(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = BulkDecisionForm(request.POST)
    decision = None
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
    if decision is None or not decision.decided:
        return redirect("manage_applications", network_slug=network.slug)
    return _queue_with_undo(network, decision.key, undoable=decision.undoable)


@require_POST
@network_view(Role.COORDINATOR)
def undo(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    """Take back a decision of one's own within the minute, if nothing changed since."""
    network = request.network
    key = request.POST.get("key", "")[:32]
    try:
        undone = application_decision_undo(
            network=network, decision_key=key, undone_by=request.user
        )
    except UndoUnavailable:
        outcome = _("There is no decision of yours to undo here.")
    except UndoExpired:
        outcome = _("Too late to undo: a decision can be undone for one minute only.")
    except UndoConflict:
        outcome = _("Not undone: one of these applications changed since the decision.")
    else:
        count = len(undone.applications)
        outcome = ngettext(
            "Decision undone: %(count)d application is back as it was.",
            "Decision undone: %(count)d applications are back as they were.",
            count,
        ) % {"count": count}
    if request.headers.get("HX-Request"):
        context = {
            "outcome": outcome,
            "network": network,
            "counts": application_counts(network=network),
            "statuses": Status.choices,
            "filters": QueueFilters(status=request.POST.get("status", Status.PENDING)),
        }
        return render(request, "members/_undo_result.html", context)
    messages.info(request, outcome)
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
