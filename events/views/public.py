"""Events as everyone sees them: lists, the event page, registering and cancelling, calendars."""

from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.calendars import calendar_bytes
from events.forms import GuestRegistrationForm, ListingForm, MemberRegistrationForm
from events.models import Event, Registration
from events.selectors import (
    FEDERATION_EVENTS_LIMIT,
    Viewer,
    door_counts,
    event_for_viewer,
    event_list,
    may_register,
    my_next_registrations,
    my_registrations,
    network_feed_events,
    upcoming_events_for,
    upcoming_public_events,
    viewer_for,
    viewer_registration,
    waitlist_position,
    who_is_coming,
)
from events.services.notices import event_url
from events.services.registrations import (
    RegistrationClosed,
    guest_token_registration_id,
    registration_cancel,
    registration_confirm_guest,
    registration_listing_set,
    registration_register,
    registration_register_guest,
)
from events.tickets import ticket_qr_svg
from members.http import SignedInNetworkRequest, SignedInRequest
from members.selectors.accounts import email_verified
from members.selectors.applications import applications_waiting_for, user_application_list
from networks.access import Role, network_view
from networks.http import NetworkRequest
from networks.selectors import federation_network_list, user_membership_list

# The signed-in home shows a few public events of the federation under the person's own.
HOME_PUBLIC_EVENTS = 3


def home(request: HttpRequest) -> HttpResponse:
    """The federation home: its networks and the next public events of all of them; for a
    signed-in person, first their networks, their next events and what waits for them."""
    if request.user.is_authenticated:
        return _home_signed_in(request)
    context = {"networks": federation_network_list(), "events": upcoming_public_events()}
    return render(request, "networks/home.html", context)


def all_events(request: HttpRequest) -> HttpResponse:
    """Every network's next events one may see (/events/), with one's own places marked."""
    found = upcoming_events_for(user=request.user)
    return render(
        request, "events/all_list.html", {"events": found, "limit": FEDERATION_EVENTS_LIMIT}
    )


def _home_signed_in(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries however many networks, events and tasks the person has;
    introductions and one-to-ones to answer come from ties through its template tags."""
    user = request.user
    memberships = user_membership_list(user=user)
    mine = {membership.network_id for membership in memberships}
    waiting = applications_waiting_for(coordinator=user)
    registrations = my_next_registrations(user=user)
    booked = {registration.event_id for registration in registrations}
    # Public events beyond those already booked: ask for as many more as are booked.
    events = upcoming_public_events(limit=HOME_PUBLIC_EVENTS + len(booked), user=user)
    context = {
        "memberships": memberships,
        "applications_waiting": [
            (m.network, waiting[m.network_id]) for m in memberships if m.network_id in waiting
        ],
        "applications": [a for a in user_application_list(user=user) if a.is_open],
        "registrations": registrations,
        "events": [e for e in events if e.pk not in booked][:HOME_PUBLIC_EVENTS],
        "other_networks": [n for n in federation_network_list() if n.pk not in mine],
    }
    return render(request, "networks/home_signed_in.html", context)


def _viewer(request: NetworkRequest) -> Viewer:
    return viewer_for(
        user=request.user,
        network=request.network,
        membership=request.membership,
    )


def _event_or_404(
    request: NetworkRequest, event_id: int, *, with_hosts: bool = False
) -> tuple[Event, Viewer]:
    viewer = _viewer(request)
    event = event_for_viewer(
        event_id=event_id,
        viewer=viewer,
        network=request.network,
        with_hosts=with_hosts,
    )
    if event is None:
        raise Http404
    return event, viewer


@network_view(Role.PUBLIC)
def events(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    listing = event_list(network=network, viewer=_viewer(request))
    return render(request, "events/list.html", {"network": network, **listing})


@network_view(Role.PUBLIC)
def event_detail(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    try:
        event, viewer = _event_or_404(request, event_id, with_hosts=True)
    except Http404:
        if request.user.is_authenticated:
            raise
        # A member's link to a members-only event asks a visitor to log in. Every event this
        # page would not show a visitor (absent, draft, for members) answers the same way,
        # so the redirect tells nothing; once signed in, a non-member gets the plain 404.
        return redirect_to_login(request.get_full_path())
    registration = viewer_registration(event=event, user=request.user)
    context: dict[str, Any] = {
        "network": request.network,
        "event": event,
        "registration": registration,
        "can_register": may_register(event=event, viewer=viewer),
        "member_form": MemberRegistrationForm(guests=event.guests_per_member),
        "guest_form": GuestRegistrationForm(),
        "who_is_coming": who_is_coming(event=event, viewer=viewer, mine=registration),
    }
    if event.is_concluded:
        context["counts"] = door_counts(event=event)  # the summary a concluded event shows
    if registration is not None:
        if registration.status == Registration.Status.WAITLISTED:
            context["position"] = waitlist_position(registration=registration)
        if registration.status == Registration.Status.CONFIRMED:
            context["qr"] = ticket_qr_svg(code=registration.ticket_code)
    return render(request, "events/detail.html", context)


@network_view(Role.SIGNED_IN)
@require_POST
def event_register(
    request: SignedInNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event, viewer = _event_or_404(request, event_id)
    if not may_register(event=event, viewer=viewer):
        messages.error(request, _("Registration for this event is not open to you."))
        return redirect(event_url_path(event, network_slug))
    if not viewer.is_member_anywhere and not email_verified(user=request.user):
        # Members were verified when they applied; anyone else verifies before taking a place.
        messages.warning(request, _("Please verify your email address before registering."))
        return redirect("account_email")
    form = MemberRegistrationForm(request.POST, guests=event.guests_per_member)
    if not form.is_valid():
        messages.error(request, _("Please check the guests' names."))
        return redirect(event_url_path(event, network_slug))
    try:
        registration, created = registration_register(
            event=event,
            user=request.user,
            guest_names=form.guest_names(),
            listed=form.cleaned_data["listed"],
        )
    except RegistrationClosed:
        messages.error(request, _("Registration for this event is not open."))
        return redirect(event_url_path(event, network_slug))
    if not created:
        messages.info(request, _("You are already registered."))
    elif registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("Your place is confirmed: the ticket is on its way by email."))
    else:
        messages.warning(
            request, _("The event is full: you are on the waitlist and will be emailed a ticket "
                       "if a place frees up.")
        )  # fmt: skip
    return redirect(event_url_path(event, network_slug))


def event_url_path(event: Event, network_slug: str) -> str:
    return reverse("event_detail", kwargs={"network_slug": network_slug, "event_id": event.pk})


@network_view(Role.SIGNED_IN)
@require_POST
def event_cancel_registration(
    request: SignedInNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    event = _event_or_404(request, event_id)[0]
    registration = viewer_registration(event=event, user=request.user)
    if registration is not None:
        _cancel(request, registration)
    return redirect(event_url_path(event, network_slug))


@network_view(Role.SIGNED_IN)
@require_POST
def event_listing(
    request: SignedInNetworkRequest, network_slug: str, event_id: int
) -> HttpResponse:
    """Switch one's own registration in or out of "who is coming" (event page, My events)."""
    event = _event_or_404(request, event_id)[0]
    registration = viewer_registration(event=event, user=request.user)
    form = ListingForm(request.POST)
    if registration is not None and form.is_valid():
        listed = form.cleaned_data["listed"]
        registration_listing_set(registration=registration, listed=listed)
        if listed:
            messages.success(request, _("You are shown among who is coming."))
        else:
            messages.success(request, _("You are no longer shown among who is coming."))
    if request.POST.get("next") == "my_events":
        return redirect("my_events")
    return redirect(event_url_path(event, network_slug))


def _cancel(request: HttpRequest, registration: Registration) -> None:
    try:
        registration_cancel(registration=registration)
    except RegistrationClosed:
        if registration.event.has_started:
            messages.error(request, _("The event has started: registrations can no longer change."))
        else:
            messages.error(request, _("This event is cancelled."))
        return
    messages.success(request, _("Your registration is cancelled. Thank you for freeing the place."))


@network_view(Role.PUBLIC)
def event_register_guest(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)[0]
    form = GuestRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if not ratelimit.consume(request, action="event_guest_register", key=email):
            return ratelimit.respond_429(request)
        try:
            registration_register_guest(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                company=form.cleaned_data["company"],
            )
        except RegistrationClosed:
            messages.error(request, _("Registration for this event is not open to guests."))
            return redirect(event_url_path(event, network_slug))
        # The same answer whether or not the address was already registered.
        return render(request, "events/guest_check_email.html", {"event": event})
    context = {"network": request.network, "event": event, "guest_form": form}
    return render(request, "events/guest_register.html", context)


@network_view(Role.PUBLIC)
def event_guest_confirm(
    request: NetworkRequest, network_slug: str, event_id: int, token: str
) -> HttpResponse:
    """The emailed link. A GET only shows a button: mail scanners follow links, people press."""
    event = _event_or_404(request, event_id)[0]
    registration_id = guest_token_registration_id(token=token, action="confirm")
    if registration_id is None:
        return render(request, "events/guest_link_invalid.html", {"event": event}, status=400)
    if request.method != "POST":
        return render(request, "events/guest_confirm.html", {"event": event})
    try:
        registration = registration_confirm_guest(event=event, registration_id=registration_id)
    except RegistrationClosed:
        messages.error(request, _("Registration for this event has closed."))
        return redirect(event_url_path(event, network_slug))
    if registration is None:
        raise Http404
    return render(
        request, "events/guest_confirmed.html", {"event": event, "registration": registration}
    )


@network_view(Role.PUBLIC)
def event_guest_cancel(
    request: NetworkRequest, network_slug: str, event_id: int, token: str
) -> HttpResponse:
    event = _event_or_404(request, event_id)[0]
    registration_id = guest_token_registration_id(token=token, action="cancel")
    registration = (
        None
        if registration_id is None
        else Registration.objects.filter(pk=registration_id, event=event, user=None).first()
    )
    if registration is None:
        return render(request, "events/guest_link_invalid.html", {"event": event}, status=400)
    registration.event = event
    if request.method == "POST":
        _cancel(request, registration)
        return redirect(event_url_path(event, network_slug))
    return render(
        request, "events/guest_cancel.html", {"event": event, "registration": registration}
    )


@network_view(Role.PUBLIC)
def event_ics(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)[0]
    content = calendar_bytes(name=event.title, events=[(event, event_url(event))])
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@network_view(Role.PUBLIC)
def events_feed(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The subscribable calendar: public events only, since a feed reader has no login."""
    network = request.network
    listing = network_feed_events(network=network)
    content = calendar_bytes(name=network.name, events=[(e, event_url(e)) for e in listing])
    return HttpResponse(content, content_type="text/calendar; charset=utf-8")


@login_required
def my_events(request: SignedInRequest) -> HttpResponse:
    """The person's tickets across networks, each with its QR code for the door."""
    mine = my_registrations(user=request.user)
    tickets = [
        (r, ticket_qr_svg(code=r.ticket_code) if r.status == Registration.Status.CONFIRMED else "")
        for r in mine["upcoming"]
    ]
    return render(request, "events/my_events.html", {"tickets": tickets, "past": mine["past"]})
