"""Referrals: passing business under /<network>/referrals/, and mine under /me/referrals/.

Views read through selectors and write through services; roles are declared with
``network_view`` and checked by the network middleware before the view runs.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.http import MemberNetworkRequest, SignedInRequest
from networks.access import Role, network_view
from ties.forms import ReferralForm, ReferralMoveForm
from ties.models import Referral
from ties.selectors.people import Picker
from ties.selectors.referrals import my_referrals, referral_for
from ties.services.referrals import TiesError, referral_create, referral_move
from ties.views.people import people_search_url


def _referral_url(network_slug: str, referral_id: int) -> str:
    return reverse(
        "ties_referral", kwargs={"network_slug": network_slug, "referral_id": referral_id}
    )


def _referral_or_404(request: MemberNetworkRequest, referral_id: int) -> Referral:
    referral = referral_for(network=request.network, referral_id=referral_id, user=request.user)
    if referral is None:
        raise Http404
    return referral


@network_view(Role.MEMBER)
def referral_new(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    form = ReferralForm(
        request.POST or None,
        network=request.network,
        user=request.user,
        search_url=people_search_url(network_slug, Picker.REFERRAL),
    )
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="ties_referral"):
            form.add_error(
                None, _("You have passed a lot of referrals in a short time. Try again in an hour.")
            )
        else:
            try:
                referral = referral_create(
                    network=request.network,
                    giver=request.user,
                    receiver_id=form.cleaned_data["receiver"],
                    what=form.cleaned_data["what"],
                    contact_id=form.cleaned_data["contact"],
                    for_whom=form.cleaned_data["for_whom"],
                    estimated_value=form.cleaned_data["estimated_value"],
                )
            except TiesError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Thank you: the referral is passed on."))
                return redirect(_referral_url(network_slug, referral.pk))
    return render(request, "ties/referral_new.html", {"network": request.network, "form": form})


@network_view(Role.MEMBER)
def referral_detail(
    request: MemberNetworkRequest, network_slug: str, referral_id: int
) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    context = {
        "network": request.network,
        "referral": referral,
        "is_receiver": referral.receiver_id == request.user.pk,
        "move_form": ReferralMoveForm(),
    }
    return render(request, "ties/referral_detail.html", context)


@network_view(Role.MEMBER)
@require_POST
def referral_move_view(
    request: MemberNetworkRequest, network_slug: str, referral_id: int
) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    if referral.receiver_id != request.user.pk:
        raise Http404  # only the receiver has the form
    form = ReferralMoveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(_referral_url(network_slug, referral.pk))
    try:
        referral_move(referral=referral, user=request.user, **form.cleaned_data)
    except TiesError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Updated. The member who passed it sees where it stands."))
    return redirect(_referral_url(network_slug, referral.pk))


@login_required
def my_referrals_view(request: SignedInRequest) -> HttpResponse:
    return render(request, "ties/referrals.html", {"referrals": my_referrals(user=request.user)})
