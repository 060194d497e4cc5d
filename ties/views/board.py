"""The board of asks and offers, under /<network>/board/.

Views read through selectors and write through services; roles are declared with
``network_view`` and checked by the network middleware before the view runs.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from networks.inputs import query_int
from networks.paging import page_links
from ties.forms import AnswerForm, BoardFilterForm, CloseForm, PostForm
from ties.models import Post
from ties.selectors.board import (
    BoardFilters,
    board_networks,
    board_page,
    post_answers,
    post_visible,
    viewer_answer,
)
from ties.services.board import (
    TiesError,
    answer_create,
    answers_mark_read,
    post_close,
    post_create,
)


def _board_url(network_slug: str) -> str:
    return reverse("ties_board", kwargs={"network_slug": network_slug})


def _post_url(network_slug: str, post_id: int) -> str:
    return reverse("ties_post", kwargs={"network_slug": network_slug, "post_id": post_id})


def _post_or_404(request: MemberNetworkRequest, post_id: int) -> Post:
    post = post_visible(network=request.network, post_id=post_id)
    if post is None:
        raise Http404
    return post


@network_view(Role.MEMBER)
def board(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    networks = board_networks()
    form = BoardFilterForm(request.GET, networks=networks)
    filters = BoardFilters(
        kind=form.value("kind") or "",
        sector=form.value("sector") or "",
        city=form.value("city") or "",
        network_id=form.value("network"),
    )
    page = board_page(
        network=request.network, filters=filters, cursor=query_int(request.GET.get("after"))
    )
    context = {
        "network": request.network,
        "form": form,
        "posts": page.rows,
        "filtered": filters != BoardFilters(),
        **page_links(request, page=page, param="after"),
    }
    return render(request, "ties/board.html", context)


@network_view(Role.MEMBER)
def post_new(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="ties_post"):
            form.add_error(None, _("You have posted a lot in a short time. Try again in an hour."))
        else:
            post = post_create(network=request.network, author=request.user, **form.cleaned_data)
            messages.success(request, _("Your post is on the board."))
            return redirect(_post_url(network_slug, post.pk))
    return render(request, "ties/post_new.html", {"network": request.network, "form": form})


@network_view(Role.MEMBER)
def post_detail(request: MemberNetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    post = _post_or_404(request, post_id)
    is_author = post.author_id == request.user.pk
    answers = post_answers(post=post) if is_author else []
    if is_author:
        answers_mark_read(post=post, reader=request.user)
    context = {
        "network": request.network,
        "post": post,
        "is_author": is_author,
        "answers": answers,
        "my_answer": None if is_author else viewer_answer(post=post, user=request.user),
        "answer_form": AnswerForm(),
        "close_form": CloseForm(answers=answers),
    }
    return render(request, "ties/post_detail.html", context)


@network_view(Role.MEMBER)
@require_POST
def post_answer(request: MemberNetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    post = _post_or_404(request, post_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how you can help."))
    elif not ratelimit.consume(request, action="ties_answer"):
        messages.error(request, _("You have answered a lot in a short time. Try again in an hour."))
    else:
        try:
            answer_create(post=post, author=request.user, via=request.network, **form.cleaned_data)
        except TiesError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Thank you: the author has your answer."))
    return redirect(_post_url(network_slug, post.pk))


@network_view(Role.MEMBER)
@require_POST
def post_close_view(request: MemberNetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    post = _post_or_404(request, post_id)
    if post.author_id != request.user.pk:
        raise Http404  # only the author has a close button
    form = CloseForm(request.POST, answers=post_answers(post=post))
    if not form.is_valid():
        messages.error(request, _("Choose one of the answers to this post."))
        return redirect(_post_url(network_slug, post.pk))
    try:
        post_close(
            post=post, user=request.user, helpful_answer_id=form.cleaned_data["helpful_answer"]
        )
    except TiesError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Closed. Thank you for saying what helped."))
    return redirect(_post_url(network_slug, post.pk))
