from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members.forms.invitations import InvitationForm
from members.selectors.applications import user_application_list
from members.selectors.cards import membership_cards
from members.selectors.invitations import member_invitations
from networks.selectors import user_membership_list


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": user_membership_list(user=request.user),
        "cards": membership_cards(user=request.user),
        "applications": user_application_list(user=request.user),
        "sent_invitations": member_invitations(user=request.user),
        "invite_form": InvitationForm(),
    }
    return render(request, "members/me.html", context)
