"""Introductions: made under /<network>/introductions/new/, answered under /me/introductions/<id>/,
and followed by the one who made them under /me/introductions/."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.http import MemberNetworkRequest, SignedInRequest
from networks.access import Role, network_view
from networks.paging import page_links
from ties.forms import IntroductionForm
from ties.selectors.introductions import (
    introducible_people,
    introduction_of,
    introductions_made,
)
from ties.selectors.people import Picker
from ties.services.introductions import TiesError, introduction_make, introduction_reply
from ties.views.people import people_search_url


@network_view(Role.MEMBER)
def introduction_new(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    people = introducible_people(introducer=request.user, network=request.network)
    form = IntroductionForm(
        request.POST or None,
        people=people,
        search_url=people_search_url(network_slug, Picker.INTRODUCTION),
    )
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="ties_introduction"):
            form.add_error(
                None, _("You have made many introductions in a short time. Try again in an hour.")
            )
        else:
            try:
                introduction_make(
                    network=request.network,
                    introducer=request.user,
                    first=form.people[form.cleaned_data["first"]],
                    second=form.people[form.cleaned_data["second"]],
                    note=form.cleaned_data["note"],
                )
            except TiesError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Introduction sent: each of them will answer."))
                return redirect("members:me")
    context = {"network": request.network, "form": form, "people": people}
    return render(request, "ties/introduction_new.html", context)


@login_required
def introduction_detail(request: SignedInRequest, introduction_id: int) -> HttpResponse:
    introduction = introduction_of(user=request.user, introduction_id=introduction_id)
    if introduction is None:
        raise Http404
    mine_first = introduction.first_id == request.user.pk
    context = {
        "introduction": introduction,
        "other": introduction.second if mine_first else introduction.first,
        "my_reply": introduction.first_reply if mine_first else introduction.second_reply,
    }
    return render(request, "ties/introduction_detail.html", context)


def _reply(request: SignedInRequest, introduction_id: int, *, accept: bool) -> HttpResponse:
    try:
        introduction_reply(introduction_id=introduction_id, user=request.user, accept=accept)
    except TiesError as refused:
        raise Http404 from refused  # not a side of it: nothing to reveal
    if accept:
        messages.success(
            request, _("Thank you. When both of you accept, you get each other's contact details.")
        )
    else:
        messages.success(request, _("Noted: not now."))
    return redirect("ties_introduction", introduction_id=introduction_id)


@require_POST
@login_required
def introduction_accept(request: SignedInRequest, introduction_id: int) -> HttpResponse:
    return _reply(request, introduction_id, accept=True)


@require_POST
@login_required
def introduction_decline(request: SignedInRequest, introduction_id: int) -> HttpResponse:
    return _reply(request, introduction_id, accept=False)


@login_required
def my_introductions_view(request: SignedInRequest) -> HttpResponse:
    """The introductions I made, a page at a time: who, the note, when, and where each stands."""
    page = introductions_made(user=request.user, after=request.GET.get("after"))
    context = {"introductions": page.rows, **page_links(request, page=page, param="after")}
    return render(request, "ties/introductions_made.html", context)
