"""The person's own profile: what the networks' directories show about them, and to whom."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from members.forms.profile import ProfileForm
from members.http import SignedInRequest
from members.models import User
from members.selectors.directory import own_profile
from members.services.profiles import profile_update


@never_cache
@login_required
def profile_edit(request: SignedInRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    form = ProfileForm(request.POST or None, user=user, instance=own_profile(user=user))
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form})
