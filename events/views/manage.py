"""The coordinator's event pages: create, edit, publish, cancel, announce, attendance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from events.forms import EventForm, FollowUpForm, capacity_error
from events.models import Event, Registration
from events.selectors import (
    attendance_list,
    door_counts,
    event_news_audience,
    manage_event_list,
)
from events.services.events import (
    CapacityBelowConfirmed,
    EventClosed,
    event_announce,
    event_cancel,
    event_create,
    event_followup,
    event_publish,
    event_update,
)
from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from networks.http import NetworkRequest


def managed_event(request: NetworkRequest, event_id: int, *, organiser: bool = False) -> Event:
    """An event this network hosts; editing it is for the organising network only."""
    event = Event.objects.select_related("network").filter(pk=event_id).first()
    if event is None:
        raise Http404
    if organiser and event.network_id != request.network.pk:
        raise PermissionDenied
    return event


def _manage_url(event: Event, network_slug: str) -> str:
    return reverse("manage_event", kwargs={"network_slug": network_slug, "event_id": event.pk})


@network_view(Role.COORDINATOR)
def manage_events(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    return render(
        request,
        "events/manage_list.html",
        {"network": network, **manage_event_list(network=network)},
    )


@network_view(Role.COORDINATOR)
def manage_event_create(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = EventForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        event = event_create(
            network=network, created_by=request.user,
            details=form.details(), cohosts=form.cleaned_data["cohosts"],
        )  # fmt: skip
        messages.success(request, _("The event is saved as a draft. Publish it when ready."))
        return redirect(_manage_url(event, network_slug))
    return render(request, "events/manage_form.html", {"network": network, "form": form})


@network_view(Role.COORDINATOR)
def manage_event_edit(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    network = request.network
    event = managed_event(request, event_id, organiser=True)
    if not event.can_edit:
        return _frozen(request, event, network_slug)
    form = EventForm(request.POST or None, instance=event, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event=event, details=form.details(), cohosts=form.cleaned_data["cohosts"])
        except CapacityBelowConfirmed as refused:
            # Someone registered between the form's check and the save.
            form.add_error("capacity", capacity_error(refused.confirmed))
        except EventClosed:
            return _frozen(request, event, network_slug)  # it started while the form was open
        else:
            messages.success(request, _("The event is updated."))
            return redirect(_manage_url(event, network_slug))
    context = {"network": network, "form": form, "event": event}
    return render(request, "events/manage_form.html", context)


def _frozen(request: HttpRequest, event: Event, network_slug: str) -> HttpResponse:
    messages.error(
        request, _("This event has started or is cancelled: it can no longer be changed.")
    )
    return redirect(_manage_url(event, network_slug))


@network_view(Role.COORDINATOR)
def manage_event(request: MemberNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = managed_event(request, event_id)
    context = {
        "network": request.network,
        "event": event,
        "counts": door_counts(event=event),
        "attendance": attendance_list(event=event),
        "waitlist": Registration.objects.filter(
            event=event, status=Registration.Status.WAITLISTED
        ).order_by("created_at", "id")[:200],
        "followup_form": FollowUpForm(),
        "is_organiser": event.network_id == request.network.pk,
    }
    return render(request, "events/manage_event.html", context)


@network_view(Role.COORDINATOR)
@require_POST
def manage_event_publish(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = managed_event(request, event_id, organiser=True)
    if event_publish(event=event):
        messages.success(request, _("The event is published."))
    return redirect(_manage_url(event, network_slug))


@network_view(Role.COORDINATOR)
@require_POST
def manage_event_cancel(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = managed_event(request, event_id, organiser=True)
    try:
        told = event_cancel(event=event)
    except EventClosed:
        return _frozen(request, event, network_slug)
    messages.success(
        request,
        ngettext(
            "The event is cancelled; %(count)d person is being told by email.",
            "The event is cancelled; %(count)d people are being told by email.",
            told,
        )
        % {"count": told},
    )
    return redirect(_manage_url(event, network_slug))


@network_view(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def manage_event_announce(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    """First how many members it will reach, then (a second, confirming POST) the sending."""
    event = managed_event(request, event_id, organiser=True)
    if not event.can_announce:
        return _not_announceable(request, event, network_slug)
    if request.method == "POST" and request.POST.get("confirm"):
        return _announce(request, event, network_slug)
    context = {
        "network": request.network,
        "event": event,
        "audience": event_news_audience(event=event),
    }
    return render(request, "events/manage_announce.html", context)


def _not_announceable(request: HttpRequest, event: Event, network_slug: str) -> HttpResponse:
    if event.announced_at is not None:
        messages.info(request, _("This event was already announced."))
    else:
        messages.error(request, _("Only a published event that has not started can be announced."))
    return redirect(_manage_url(event, network_slug))


def _announce(request: HttpRequest, event: Event, network_slug: str) -> HttpResponse:
    sent = event_announce(event=event)
    if not sent:
        messages.warning(
            request,
            _("No member has asked for event news yet, so nothing was sent. You can announce "
              "the event later."),
        )  # fmt: skip
        return redirect(_manage_url(event, network_slug))
    messages.success(
        request,
        ngettext(
            "The announcement is on its way to %(count)d member who asked for event news.",
            "The announcement is on its way to %(count)d members who asked for event news.",
            sent,
        )
        % {"count": sent},
    )
    return redirect(_manage_url(event, network_slug))


@network_view(Role.COORDINATOR)
@require_POST
def manage_event_followup(
    request: MemberNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = managed_event(request, event_id, organiser=True)
    form = FollowUpForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    if event.followup_sent_at is not None:
        messages.info(request, _("The guests of this event were already invited."))
        return redirect(_manage_url(event, network_slug))
    if not event.can_follow_up:
        messages.error(request, _("The guests who came can be invited once the event is over."))
        return redirect(_manage_url(event, network_slug))
    result = event_followup(event=event, by=request.user, message=message)
    messages.success(
        request,
        ngettext(
            "%(count)d guest invited to apply.",
            "%(count)d guests invited to apply.",
            result.invited,
        )
        % {"count": result.invited},
    )
    if result.skipped:
        messages.info(
            request,
            ngettext(
                "%(count)d guest skipped: already a member, already invited, or opted out.",
                "%(count)d guests skipped: already members, already invited, or opted out.",
                result.skipped,
            )
            % {"count": result.skipped},
        )
    return redirect(_manage_url(event, network_slug))
