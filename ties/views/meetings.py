"""One-to-ones (recorded under /<network>/, confirmed under /me/) and "we met" after an event."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Event
from members.http import MemberNetworkRequest, SignedInNetworkRequest, SignedInRequest
from members.models import User
from networks.access import Role, network_view
from networks.inputs import query_int
from ties.forms import OneToOneForm
from ties.selectors.meetings import checked_in, event_here, one_to_one_partners, who_came
from ties.selectors.people import Picker
from ties.services.meetings import (
    TiesError,
    event_listing_set,
    event_meet_mark,
    one_to_one_confirm,
    one_to_one_record,
)
from ties.views.people import people_search_url


@network_view(Role.MEMBER)
def one_to_one_new(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    people = one_to_one_partners(network=request.network, user=request.user)
    form = OneToOneForm(
        request.POST or None,
        people=people,
        search_url=people_search_url(network_slug, Picker.ONE_TO_ONE),
        initial=_prefilled(request, people),
    )
    if request.method == "POST" and form.is_valid():
        # Each record emails the other side: a limit keeps the form from being a mail cannon.
        if not ratelimit.consume(request, action="ties_one_to_one"):
            form.add_error(
                None, _("You have recorded many one-to-ones in a short time. Try again in an hour.")
            )
            return render(
                request, "ties/one_to_one_new.html", {"network": request.network, "form": form}
            )
        try:
            one_to_one_record(
                network=request.network,
                recorded_by=request.user,
                other=form.people[form.cleaned_data["other"]],
                met_on=form.cleaned_data["met_on"],
                note=form.cleaned_data["note"],
            )
        except TiesError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Recorded: the other member is asked to confirm."))
            return redirect("members:me")
    return render(request, "ties/one_to_one_new.html", {"network": request.network, "form": form})


def _prefilled(request: MemberNetworkRequest, people: list[User]) -> dict[str, int]:
    """``?other=<id>`` (from the coordinators' list of unconnected members) chooses that
    person, when the form offers them; any other value is ignored."""
    other = query_int(request.GET.get("other"))
    return {"other": other} if other in {person.pk for person in people} else {}


@require_POST
@login_required
def one_to_one_confirm_view(request: SignedInRequest, one_to_one_id: int) -> HttpResponse:
    try:
        one_to_one_confirm(one_to_one_id=one_to_one_id, user=request.user)
    except TiesError as refused:
        raise Http404 from refused
    messages.success(request, _("Confirmed: you are now connected."))
    return redirect("members:me")


def _event_for_attendee(request: SignedInNetworkRequest, event_id: int) -> Event:
    """The event, for someone checked in at it once it has started; 404 for anyone else."""
    event = event_here(event_id=event_id)
    if event is None or not event.has_started or not checked_in(event=event, user=request.user):
        raise Http404
    return event


def _met_url(network_slug: str, event_id: int) -> str:
    return reverse("ties_event_met", kwargs={"network_slug": network_slug, "event_id": event_id})


@network_view(Role.SIGNED_IN)
def event_met(request: SignedInNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = _event_for_attendee(request, event_id)
    context = {
        "network": request.network,
        "event": event,
        "who_came": who_came(event=event, user=request.user),
    }
    return render(request, "ties/event_met.html", context)


@network_view(Role.SIGNED_IN)
@require_POST
def event_listing(
    request: SignedInNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = _event_for_attendee(request, event_id)
    listed = request.POST.get("listed") == "1"
    event_listing_set(event=event, user=request.user, listed=listed)
    if listed:
        messages.success(request, _("You are listed among those who came."))
    else:
        messages.success(request, _("You are no longer listed."))
    return redirect(_met_url(network_slug, event_id))


@network_view(Role.SIGNED_IN)
@require_POST
def event_mark(request: SignedInNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = _event_for_attendee(request, event_id)
    other_id = query_int(request.POST.get("user"))
    other = User.objects.filter(pk=other_id).first() if other_id is not None else None
    if other is None:
        raise Http404
    try:
        returned = event_meet_mark(
            event=event, network=request.network, from_user=request.user, to_user=other
        )
    except TiesError as refused:
        messages.error(request, str(refused))
    else:
        if returned:
            messages.success(request, _("You met each other: you are now connected."))
        else:
            messages.success(request, _("Noted. If they say so too, you will be connected."))
    return redirect(_met_url(network_slug, event_id))
