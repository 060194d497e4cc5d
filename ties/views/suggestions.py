"""People worth meeting, on /me/: the "not interested" button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.http import SignedInRequest
from ties.services.suggestions import suggestion_dismiss


@require_POST
@login_required
def suggestion_dismiss_view(request: SignedInRequest, user_id: int) -> HttpResponse:
    suggestion_dismiss(user=request.user, dismissed_id=user_id)
    messages.success(request, _("We will not suggest this person again."))
    return redirect("members:me")
