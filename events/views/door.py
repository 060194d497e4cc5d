"""Check-in at the door, made for a phone: scan, search, one tap, walk-ins, live counts.

The page loads once; every action answers with a small htmx fragment, so a volunteer on a
hotel's weak Wi-Fi never waits for a whole page.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.forms import WalkInForm
from events.models import Event
from events.selectors import door_counts, door_search
from events.services.checkin import (
    CheckIn,
    CheckinNotOpen,
    checkin_registration,
    checkin_scan,
    walk_in_add,
)
from events.views.manage import managed_event
from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from networks.http import NetworkRequest


def checkin_not_open_error(event: Event) -> str:
    if event.status != Event.Status.PUBLISHED:
        return _("Check-in is only for published events.")
    if not event.checkin_will_open:
        return _("This event is over: check-in is closed.")
    when = formats.date_format(timezone.localtime(event.checkin_opens_at), "DATETIME_FORMAT")
    return _("Check-in opens on %(when)s.") % {"when": when}


@network_view(Role.COORDINATOR)
def checkin(request: MemberNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = managed_event(request, event_id)
    context = {
        "network": request.network,
        "event": event,
        "counts": door_counts(event=event),
        "walk_in_form": WalkInForm(),
    }
    return render(request, "events/checkin.html", context)


@network_view(Role.COORDINATOR)
def checkin_counts(request: MemberNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = managed_event(request, event_id)
    return render(request, "events/_checkin_counts.html", {"counts": door_counts(event=event)})


@network_view(Role.COORDINATOR)
def checkin_search(request: MemberNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = managed_event(request, event_id)
    # PostgreSQL refuses NUL in text: a stray one from a scanner must not become an error page.
    results = door_search(event=event, query=request.GET.get("q", "").replace("\x00", ""))
    context = {"network": request.network, "event": event, "results": results}
    return render(request, "events/_checkin_search.html", context)


def _result(request: NetworkRequest, event: Event, result: CheckIn) -> HttpResponse:
    """The outcome, plus the counts and the person's search row, updated out of band."""
    context = {
        "result": result,
        "counts": door_counts(event=event),
        "network": request.network,
        "event": event,
    }
    return render(request, "events/_checkin_result.html", context)


@network_view(Role.COORDINATOR)
@require_POST
def checkin_scan_view(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = managed_event(request, event_id)
    scanned = request.POST.get("code", "").replace("\x00", "")
    result = checkin_scan(event=event, scanned=scanned, by=request.user)
    return _result(request, event, result)


@network_view(Role.COORDINATOR)
@require_POST
def checkin_mark(
    request: MemberNetworkRequest, network_slug: str, event_id: int, registration_id: int
) -> HttpResponse:
    event = managed_event(request, event_id)
    result = checkin_registration(event=event, registration_id=registration_id, by=request.user)
    return _result(request, event, result)


@network_view(Role.COORDINATOR)
@require_POST
def checkin_walk_in(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = managed_event(request, event_id)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        context = {"walk_in_form": form, "network": request.network, "event": event}
        return render(request, "events/_checkin_walk_in.html", context, status=422)
    try:
        data = form.cleaned_data
        registration = walk_in_add(
            event=event,
            by=request.user,
            name=data["name"],
            email=data["email"],
            company=data["company"],
        )
    except CheckinNotOpen:
        form.add_error(None, checkin_not_open_error(event))
        context = {"walk_in_form": form, "network": request.network, "event": event}
        return render(request, "events/_checkin_walk_in.html", context, status=409)
    context = {
        "walk_in_form": WalkInForm(),
        "network": request.network,
        "event": event,
        "added": registration,
        "counts": door_counts(event=event),
    }
    return render(request, "events/_checkin_walk_in.html", context)
