from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from networks.selectors import user_membership_list


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(
        request, "members/me.html", {"memberships": user_membership_list(user=request.user)}
    )
