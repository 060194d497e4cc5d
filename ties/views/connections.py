"""My connections, under /me/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.http import SignedInRequest
from ties.services.connections import connection_remove


@require_POST
@login_required
def connection_remove_view(request: SignedInRequest, connection_id: int) -> HttpResponse:
    connection_remove(user=request.user, connection_id=connection_id)
    messages.success(request, _("The connection is removed."))
    return redirect("members:me")
