"""The aspiring member's side: applying to a network and withdrawing an open application."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from members.forms.applications import ApplicationForm
from members.http import SignedInNetworkRequest, SignedInRequest
from members.models import Invitation, Profile, User
from members.selectors.applications import (
    ApplicantState,
    applicant_state,
    network_questions,
    user_application_get,
)
from members.selectors.invitations import invitation_for_apply
from members.services.applications import (
    AlreadyDecided,
    IntakeClosed,
    application_submit,
)
from members.services.applications import (
    application_withdraw as withdraw,
)
from members.services.invitations import invitation_link_application
from members.services.undo import (
    UndoConflict,
    UndoExpired,
    UndoUnavailable,
    application_decision_undo,
)
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.models import Membership, Network


def _initial(user: User, profile: Profile | None) -> dict[str, str]:
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    if profile is not None:
        for name in ("company", "job_title", "sector", "city", "linkedin_url"):
            initial[name] = getattr(profile, name)
    return initial


@network_view(Role.SIGNED_IN)
def apply(request: SignedInNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    membership = request.membership
    state = applicant_state(network=network, user=request.user)
    if not state.verified:
        # Nothing is saved for an unverified address: verify first, then come back.
        messages.warning(request, _("Please verify your email address before applying."))
        return redirect("account_email")
    context = {"network": network, "state": state}
    if membership is not None and membership.status == Membership.Status.ACTIVE:
        return render(request, "members/apply_member.html", context)
    if state.open_application_id:
        return render(request, "members/apply_pending.html", context)
    if not network.intake_open:
        return render(request, "members/apply_closed.html", context)
    invitation = _invitation(request, network)
    initial = _initial(request.user, state.profile)
    if invitation is not None and invitation.name and not initial["first_name"]:
        first, _space, last = invitation.name.partition(" ")
        initial |= {"first_name": first, "last_name": last}
    form = ApplicationForm(
        request.POST or None,
        network=network,
        questions=network_questions(network=network),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        return _submit(request, form, state, invitation)
    return render(
        request, "members/apply.html", {**context, "form": form, "invitation": invitation}
    )


def _invitation(request: SignedInNetworkRequest, network: Network) -> Invitation | None:
    """The invitation this person accepted for this network, named in the URL; else 404."""
    raw = request.GET.get("invitation", "")
    if not raw:
        return None
    invitation = invitation_for_apply(
        network=network, user=request.user, invitation_id=query_int(raw) or 0
    )
    if invitation is None:
        raise Http404
    return invitation


def _sponsor(form: ApplicationForm, invitation: Invitation | None) -> User | None:
    """The member who invited is the sponsor, unless the applicant named one themself."""
    if form.cleaned_data["sponsor_card"] is not None or invitation is None:
        return form.cleaned_data["sponsor_card"]
    inviter = invitation.inviter
    if inviter is None:
        return None
    is_member = Membership.objects.filter(
        network=form.network, user=inviter, status=Membership.Status.ACTIVE
    ).exists()
    return inviter if is_member else None


def _submit(
    request: SignedInNetworkRequest,
    form: ApplicationForm,
    state: ApplicantState,
    invitation: Invitation | None,
) -> HttpResponse:
    network = form.network
    try:
        application, created = application_submit(
            network=network,
            user=request.user,
            motivation=form.cleaned_data["motivation"],
            answers=form.answers(),
            profile=form.profile_data(),
            sponsor=_sponsor(form, invitation),
            # Known from the state query: an unsaved one means "create it", with no lookup.
            current_profile=state.profile or Profile(user=request.user),
        )
    except IntakeClosed:
        return render(request, "members/apply_closed.html", {"network": network})
    if invitation is not None:
        invitation_link_application(invitation=invitation, application=application)
    if created:
        messages.success(
            request,
            _("Thank you: your application to %(network)s was sent.") % {"network": network.name},
        )
    else:
        messages.info(request, _("You had already applied: here is your application."))
    return redirect("members:me")


@require_POST
@login_required
def application_withdraw(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = user_application_get(user=request.user, application_id=application_id)
    if application is None:
        raise Http404
    try:
        # The applicant owns it: their own application's network is the scope to act in.
        with scope(network=application.network):
            key = withdraw(application=application, user=request.user)
    except AlreadyDecided:
        messages.info(request, _("This application was already decided."))
        return redirect("members:me")
    # A page of its own, for the minute the withdrawal can be taken back.
    context = {"application": application, "key": key}
    return render(request, "members/application_withdrawn.html", context)


@require_POST
@login_required
def application_withdraw_undo(request: SignedInRequest) -> HttpResponse:
    application = user_application_get(
        user=request.user, application_id=query_int(request.POST.get("application")) or 0
    )
    if application is None:
        raise Http404
    try:
        with scope(network=application.network):
            application_decision_undo(
                network=application.network,
                decision_key=request.POST.get("key", "")[:32],
                undone_by=request.user,
            )
    except UndoUnavailable:
        messages.error(request, _("There is no withdrawal of yours to undo here."))
    except UndoExpired:
        messages.error(
            request, _("Too late to undo: a withdrawal can be undone for one minute only.")
        )
    except UndoConflict:
        messages.error(
            request, _("Not undone: your application changed since, or you applied again.")
        )
    else:
        messages.success(request, _("Withdrawal undone: your application is back."))
    return redirect("members:me")
