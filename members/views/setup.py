"""Coordinators shape their network's intake: questions, cap, rules, and their own alerts."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from members.forms.applications import AlertsForm, IntakeSettingsForm, QuestionForm
from members.http import MemberNetworkRequest
from members.models import ApplicationQuestion
from members.services.setup import alerts_update, intake_update, question_save
from networks.access import Role, network_view
from networks.forms import PublicPageForm
from networks.inputs import query_int
from networks.services import network_public_page_update


@network_view(Role.COORDINATOR)
def questions(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    question_id = query_int(request.GET.get("edit") or request.POST.get("question"))
    editing = (
        get_object_or_404(ApplicationQuestion, pk=question_id, network=network)
        if question_id is not None
        else None
    )
    form = QuestionForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        question_save(
            network=network,
            question=editing,
            label=data["label"],
            help_text=data["help_text"],
            kind=data["kind"],
            choices=data["choices"],
            required=data["required"],
            position=data["position"],
            active=data["active"],
        )
        messages.success(request, _("Question saved."))
        return redirect("manage_questions", network_slug=network.slug)
    context = {
        "network": network,
        "form": form,
        "editing": editing,
        "questions": ApplicationQuestion.objects.filter(network=network).order_by("position", "id"),
    }
    return render(request, "members/manage_questions.html", context)


@network_view(Role.COORDINATOR)
def intake_settings(request: MemberNetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    membership = request.membership
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form", "")
    intake = IntakeSettingsForm(posted if which == "intake" else None, instance=network)
    alerts = AlertsForm(posted if which == "alerts" else None, instance=membership)
    public = PublicPageForm(posted if which == "public" else None, instance=network)
    if which == "intake" and intake.is_valid():
        data = intake.cleaned_data
        intake_update(
            network=network,
            changed_by=request.user,
            intake_open=data["intake_open"],
            membership_cap=data["membership_cap"],
            one_per_sector=data["one_per_sector"],
            card_prefix=data["card_prefix"],
            language=data["language"],
            member_invite_quota=data["member_invite_quota"],
            invitation_reminder_days=data["invitation_reminder_days"],
        )
        messages.success(request, _("Intake settings saved."))
        return redirect("manage_settings", network_slug=network.slug)
    if which == "public" and public.is_valid():
        network_public_page_update(
            network=network,
            changed_by=request.user,
            membership_benefits=public.cleaned_data["membership_benefits"],
        )
        messages.success(request, _("The public page was saved."))
        return redirect("manage_settings", network_slug=network.slug)
    if which == "alerts" and alerts.is_valid():
        alerts_update(
            membership=membership, application_alerts=alerts.cleaned_data["application_alerts"]
        )
        messages.success(request, _("Your alert preference was saved."))
        return redirect("manage_settings", network_slug=network.slug)
    context = {"network": network, "intake": intake, "alerts": alerts, "public": public}
    return render(request, "members/manage_settings.html", context)
