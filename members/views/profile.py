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
from members.selectors.photos import photo_url
from members.services.photos import profile_photo_remove, profile_photo_set
from members.services.profiles import profile_update


@never_cache
@login_required
def profile_edit(request: SignedInRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    profile = own_profile(user=user)
    form = ProfileForm(request.POST or None, request.FILES or None, user=user, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, **form.profile_changes())
        if form.cleaned_data["photo"] is not None:
            profile_photo_set(user=user, image=form.cleaned_data["photo"])
        elif form.cleaned_data.get("remove_photo"):
            profile_photo_remove(user=user)
        messages.success(request, _("Your profile is saved."))
        return redirect("members:profile")
    context = {"form": form, "photo_url": photo_url(user_id=user.pk, name=profile.photo.name)}
    return render(request, "members/profile.html", context)
