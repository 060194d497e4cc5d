from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language

from members.forms.invitations import InvitationForm
from members.http import SignedInRequest
from members.selectors.applications import user_application_list
from members.selectors.cards import membership_cards
from members.selectors.invitations import member_invitations
from members.selectors.photos import own_photo_url
from members.services.profiles import user_language_set
from networks.selectors import user_membership_list


@never_cache
@login_required
def me(request: SignedInRequest) -> HttpResponse:
    context = {
        "memberships": user_membership_list(user=request.user),
        "cards": membership_cards(user=request.user),
        "applications": user_application_list(user=request.user),
        "sent_invitations": member_invitations(user=request.user),
        "invite_form": InvitationForm(),
        "photo_url": own_photo_url(user=request.user),
    }
    return render(request, "members/me.html", context)


def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice is also kept on their account,
    since the emails they receive later are written in it (``networks.languages``)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    chosen = request.method == "POST" and language in dict(settings.LANGUAGES)
    if chosen and request.user.is_authenticated and check_for_language(language):
        user_language_set(user=request.user, language=language)
    return response
