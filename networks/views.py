from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from networks import services
from networks.access import Role, network_view
from networks.forms import CoordinatorAppointForm, CoordinatorContactForm, NetworkForm
from networks.http import NetworkRequest
from networks.models import Membership, Network
from networks.selectors import (
    federation_network_list,
    network_coordinator_list,
    network_membership_counts,
    network_public_summary,
)

View = Callable[..., HttpResponse]


@network_view(Role.PUBLIC)
def network_detail(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The network's public page, with the form that writes to its coordinators (the upcoming
    events come from the events app through its template tag: this app sits below it)."""
    network = request.network
    summary = network_public_summary(network=network)
    form = CoordinatorContactForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _contact_allowed(request, form):
            return _contact_send(request, form)
        form.add_error(None, _("Too many messages from you: please try again in an hour."))
        status = 429
    context = {"network": network, "contact_form": form, **summary}
    return render(request, "networks/detail.html", context, status=status)


def _contact_allowed(request: NetworkRequest, form: CoordinatorContactForm) -> bool:
    key = f"{request.network.pk}:{form.cleaned_data['email'].lower()}"
    return ratelimit.consume(request, action="network_contact", key=key)


def _contact_send(request: NetworkRequest, form: CoordinatorContactForm) -> HttpResponse:
    network = request.network
    if not form.is_bot:  # a filled hidden field: thanked like a person, and nothing is sent
        data = form.cleaned_data
        services.coordinators_contact(
            network=network, name=data["name"], email=data["email"], message=data["message"]
        )
    messages.success(
        request, _("Thank you: the coordinators received your message and will reply by email.")
    )
    return redirect("network_detail", network_slug=network.slug)


@network_view(Role.COORDINATOR)
def manage_home(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """What needs doing: each app below adds its card through a template tag (see the template)."""
    network = request.network
    context = {"network": network, "counts": network_membership_counts(network=network)}
    return render(request, "networks/manage_home.html", context)


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "networks/privacy.html", {"version": settings.PRIVACY_NOTICE_VERSION})


# --- Federation staff: networks and their coordinators ---------------------------------------
def staff_required(view: View) -> View:
    """Staff pages are invisible to everyone else: 404, not a hint that they exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        return staff_member_required(view, login_url="account_login")(request, *args, **kwargs)

    return wrapped


@staff_required
def federation_networks(request: HttpRequest) -> HttpResponse:
    return render(request, "networks/federation_list.html", {"networks": federation_network_list()})


@staff_required
def federation_network_create(request: HttpRequest) -> HttpResponse:
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = services.network_create(
            slug=data["slug"],
            name=data["name"],
            region=data["region"],
            city=data["city"],
            description=data["description"],
            launched_on=data["launched_on"],
            status=data["status"],
        )
        messages.success(request, _("Network %(name)s created.") % {"name": network.name})
        return redirect("federation_network", slug=network.slug)
    return render(request, "networks/federation_create.html", {"form": form})


@staff_required
def federation_network(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(Network, slug=slug)
    form = CoordinatorAppointForm(request.POST or None)
    with scope(network=network):
        if request.method == "POST" and form.is_valid():
            user = form.cleaned_data["user"]
            services.coordinator_appoint(network=network, user=user, appointed_by=request.user)
            messages.success(request, _("%(person)s is now a coordinator.") % {"person": user})
            return redirect("federation_network", slug=network.slug)
        context = {
            "network": network,
            "form": form,
            "coordinators": network_coordinator_list(network=network),
        }
        return render(request, "networks/federation_network.html", context)


@staff_required
@require_POST
def federation_coordinator_remove(
    request: HttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    network = get_object_or_404(Network, slug=slug)
    with scope(network=network):
        membership = get_object_or_404(
            Membership, id=membership_id, network=network, role=Membership.Role.COORDINATOR
        )
        services.coordinator_remove(network=network, membership=membership, removed_by=request.user)
    messages.success(
        request, _("%(person)s is no longer a coordinator.") % {"person": membership.user}
    )
    return redirect("federation_network", slug=network.slug)
