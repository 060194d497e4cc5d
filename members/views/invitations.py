"""Invitations: coordinators invite one or thousands, members invite people they know, and
the invitee follows a personal link to the application form."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_scopes import scope

from members.adapters import INVITATION_NEXT, invitation_address_proved
from members.forms.invitations import InvitationForm, InvitationUploadForm, invitation_limits
from members.http import MemberNetworkRequest
from members.models import Invitation, InvitationBatch, User
from members.selectors.accounts import email_verified
from members.selectors.invitations import (
    State,
    batch_counts,
    invitation_by_token,
    network_invitation_counts,
    network_invitations,
)
from members.services import invitations as service
from members.services.invitations import InvitationRefused, Invitee
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.paging import page_links

REASONS = {
    "invalid_email": gettext_lazy("not a valid email address"),
    "missing_email": gettext_lazy("no email address"),
    "duplicate_in_file": gettext_lazy("appears earlier in the file"),
    "too_long": gettext_lazy("name or message too long"),
    "already_member": gettext_lazy("already a member"),
    "recently_invited": gettext_lazy("invited in the last %(recent_days)s days"),
    "opted_out": gettext_lazy("asked not to be invited"),
    "hourly_limit": gettext_lazy("You reached the number of invitations allowed in an hour."),
    "monthly_quota": gettext_lazy("You used all your invitations for this month."),
    "empty": gettext_lazy("The file is empty."),
    "too_big": gettext_lazy("The file is larger than %(max_megabytes)s MB."),
    "too_many_rows": gettext_lazy("The file has more than %(max_rows)s rows: split it in parts."),
    "not_text": gettext_lazy(
        "This is not a UTF-8 CSV text file: in Excel, save it as “CSV UTF-8”."
    ),
    "no_columns": gettext_lazy("No row has an email address in its first column."),
    "malformed": gettext_lazy("The file cannot be read as CSV: is a quote left open?"),
}


def reason(code: str) -> str:
    return str(REASONS.get(code, code)) % invitation_limits()


# --- Coordinators ----------------------------------------------------------------------------
@network_view(Role.COORDINATOR)
def manage_invitations(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.invitation_send(
                network=network, inviter=request.user, by_coordinator=True,
                invitee=Invitee(**form.cleaned_data),
            )  # fmt: skip
        except InvitationRefused as refused:
            form.add_error(None, _("Not sent: %(reason)s.") % {"reason": reason(refused.reason)})
        else:
            messages.success(request, _("Invitation queued."))
            return redirect("manage_invitations", network_slug=network.slug)
    state = request.GET.get("state", "")
    page = network_invitations(
        network=network, state=state, before_id=query_int(request.GET.get("before"))
    )
    context = {
        "network": network,
        "form": form,
        "upload": InvitationUploadForm(),
        "invitations": page.rows,
        **page_links(request, page=page, param="before"),
        "counts": network_invitation_counts(network=network),
        "states": State.choices,
        "state": state,
        "batches": InvitationBatch.objects.filter(network=network)[:10],
    }
    return render(request, "members/manage_invitations.html", context)


@require_POST
@network_view(Role.COORDINATOR)
def invitation_upload(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = InvitationUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("file", [])))
        return redirect("manage_invitations", network_slug=network.slug)
    upload = form.cleaned_data["file"]
    batch = service.invitation_batch_preview(
        network=network, created_by=request.user,
        data=upload.read(), filename=upload.name,
    )  # fmt: skip
    return redirect("invitation_batch", network_slug=network.slug, batch_id=batch.pk)


@network_view(Role.COORDINATOR)
def invitation_batch(
    request: MemberNetworkRequest, network_slug: str, batch_id: int
) -> HttpResponse:
    network = request.network
    batch = get_object_or_404(InvitationBatch, pk=batch_id, network=network)
    counts = batch_counts(batch=batch)
    total = sum(counts.values())
    context = {
        "network": network,
        "batch": batch,
        "total": total,
        "done": total - counts["queued"],
        "file_error": reason(batch.file_error) if batch.file_error else "",
        "problems": [(line, email, reason(code)) for line, email, code in batch.problems],
        "problem_counts": [
            (reason(code), n) for code, n in Counter(p[2] for p in batch.problems).items()
        ],
        "preview": batch.rows[:50],
        "counts": counts,
        "states": State.choices,
    }
    template = "members/invitation_batch.html"
    if request.headers.get("HX-Request"):
        template = "members/_invitation_batch_progress.html"
    return render(request, template, context)


@require_POST
@network_view(Role.COORDINATOR)
def invitation_batch_confirm(
    request: MemberNetworkRequest, network_slug: str, batch_id: int
) -> HttpResponse:
    network = request.network
    batch = get_object_or_404(InvitationBatch, pk=batch_id, network=network)
    try:
        result = service.invitation_batch_confirm(batch=batch, confirmed_by=request.user)
    except InvitationRefused as refused:
        messages.error(request, reason(refused.reason))
    else:
        if result.sent:
            text = ngettext(
                "%(count)d invitation is being sent.",
                "%(count)d invitations are being sent.",
                result.sent,
            )
            messages.success(request, text % {"count": result.sent})
        if result.left_out:
            text = ngettext(
                "%(count)d person was left out: invited or opted out since the file was checked.",
                "%(count)d people were left out: invited or opted out since the file was checked.",
                result.left_out,
            )
            messages.info(request, text % {"count": result.left_out})
    return redirect("invitation_batch", network_slug=network.slug, batch_id=batch.pk)


@require_POST
@network_view(Role.COORDINATOR)
def invitation_revoke(
    request: MemberNetworkRequest, network_slug: str, invitation_id: int
) -> HttpResponse:
    network = request.network
    invitation = get_object_or_404(Invitation, pk=invitation_id, network=network)
    if service.invitation_revoke(invitation=invitation):
        messages.success(request, _("Invitation revoked."))
    else:
        messages.info(request, _("This invitation was already used or revoked."))
    return redirect("manage_invitations", network_slug=network.slug)


@require_POST
@network_view(Role.COORDINATOR)
def invitation_resend(
    request: MemberNetworkRequest, network_slug: str, invitation_id: int
) -> HttpResponse:
    network = request.network
    invitation = get_object_or_404(Invitation, pk=invitation_id, network=network)
    if service.invitation_resend(invitation=invitation):
        messages.success(request, _("Invitation sent again."))
    else:
        messages.info(request, _("Only a failed, still valid invitation can be sent again."))
    return redirect("manage_invitations", network_slug=network.slug)


# --- Members ---------------------------------------------------------------------------------
@require_POST
@network_view(Role.MEMBER)
def member_invite(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid email address."))
        return redirect("members:me")
    try:
        service.invitation_send(
            network=network, inviter=request.user, by_coordinator=False,
            invitee=Invitee(**form.cleaned_data),
        )  # fmt: skip
    except InvitationRefused as refused:
        messages.error(request, _("Not sent: %(reason)s.") % {"reason": reason(refused.reason)})
    else:
        messages.success(
            request, _("Your invitation to %(network)s is on its way.") % {"network": network.name}
        )
    return redirect("members:me")


# --- The invitee -----------------------------------------------------------------------------
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token=token)
    if invitation is None:
        raise Http404
    usable = invitation.is_usable
    if request.method != "POST":
        if usable:
            with scope(network=invitation.network):  # the token named its network
                service.invitation_opened(invitation=invitation)
            request.session[INVITATION_NEXT] = request.path
            if not request.user.is_authenticated:
                invitation_address_proved(request, invitation.email)
        context = {"invitation": invitation, "usable": usable, "token": token}
        return render(request, "members/invitation_landing.html", context)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _accept(request, invitation, user)


def _accept(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    address = invitation.email
    verified = {address} if email_verified(user=user, email=address) else set()
    network = invitation.network
    try:
        with scope(network=network):
            service.invitation_accept(invitation=invitation, user=user, verified_emails=verified)
    except service.WrongAddress:
        messages.error(
            request, _("This invitation was sent to another address: log in with that one.")
        )
        return redirect(request.path)
    except service.InvitationUnusable:
        messages.info(request, _("This invitation was already used or has expired."))
        return redirect(request.path)
    apply_url = reverse("apply", kwargs={"network_slug": network.slug})
    return redirect(f"{apply_url}?invitation={invitation.pk}")
