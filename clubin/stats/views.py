"""Dashboards: the federation's at /federation/, each network's at /<network>/manage/stats/."""

import csv
import json

from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clubin.stats.forms import PeriodForm
from clubin.stats.selectors import FUNNEL, Dashboard, Figures, dashboard, period_for
from clubin.stats.services import (
    ACTIVE_AFTER_DAYS,
    AGE_BUCKETS,
    ATTENDED_DAYS,
    WAITING_LONG_DAYS,
    stats_refreshed_within,
)
from clubin.stats.tasks import stats_refresh_recent
from networks.access import Role, network_view
from networks.http import NetworkRequest
from networks.views import staff_required
from ties.selectors.unconnected import UNCONNECTED_AFTER_DAYS

# The sortable columns of the federation table, in the order shown.
COLUMNS = (
    "name", "region", "members_active", "aspiring", "new_members", "applications",
    "approval_rate", "median_days", "p90_days", "waiting_over_14", "invitations_sent",
    "invitation_application_share", "invitation_member_share", "events_held", "registrations",
    "attendance_rate", "attended_last_90_share", "attended_elsewhere",
)  # fmt: skip
# The second table, business between members: sortable the same way.
TIES_COLUMNS = (
    "name", "connections_per_member", "connected_30_share", "connected_90_share",
    "connections_cross_share", "asks_posted", "asks_answered_share", "introductions_made",
    "introductions_accepted", "one_to_ones", "referrals_passed", "referrals_won",
    "referral_value_won", "connections_per_event", "first_collaboration",
)  # fmt: skip


def _read(request: HttpRequest) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        # A wrong date resets the period, not the region the person chose.
        return form, {"key": "30d", "region": request.GET.get("region", "")[:80]}
    data = form.cleaned_data
    return form, {
        "key": data.get("period") or "30d",
        "start": data.get("start"),
        "end": data.get("end"),
        "region": data.get("region") or "",
    }


def _sorted(rows: list[Figures], key: str) -> list[Figures]:
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in COLUMNS and name not in TIES_COLUMNS:
        return rows
    present = [r for r in rows if getattr(r, name) is not None]
    missing = [r for r in rows if getattr(r, name) is None]
    return sorted(present, key=lambda r: getattr(r, name), reverse=descending) + missing


def _federation(request: HttpRequest) -> tuple[PeriodForm, Dashboard]:
    form, params = _read(request)
    period = period_for(params["key"], start=params.get("start"), end=params.get("end"))
    board = dashboard(period=period, region=params.get("region", ""))
    board.rows = _sorted(board.rows, request.GET.get("sort", "name"))
    return form, board


@staff_required
def federation_dashboard(request: HttpRequest) -> HttpResponse:
    form, board = _federation(request)
    others = request.GET.copy()
    others.pop("sort", None)
    context = {
        "form": form,
        "board": board,
        "headers": _headers(),
        "ties_headers": _ties_headers(),
        "sort": request.GET.get("sort", "name"),
        "sorted": "sort" in request.GET,  # a sorted table is what the person came for: open
        "cards": [board.totals, *board.rows],
        "query": request.GET.copy(),
        "sort_query": f"{others.urlencode()}&" if others else "",
        **_chart_context(board),
    }
    return render(request, "stats/federation.html", context)


def _chart_context(board: Dashboard) -> dict:
    charts = board.charts
    return {
        "chart_data": _chart_data(board),
        "funnel_steps": _funnel_steps(board.totals),
        "monthly_rows": list(
            zip(
                charts["months"],
                charts["applications"],
                charts["approved"],
                charts["rejected"],
                strict=True,
            )
        ),
    }


def _headers() -> list[tuple[str, str]]:
    labels = {
        "name": _("Network"),
        "region": _("Region"),
        "members_active": _("Members"),
        "aspiring": _("Aspiring"),
        "new_members": _("New members"),
        "applications": _("Applications"),
        "approval_rate": _("Approved"),
        "median_days": _("Median days to decision"),
        "p90_days": _("90th percentile days"),
        "waiting_over_14": _("Waiting > %(days)s days") % {"days": WAITING_LONG_DAYS},
        "invitations_sent": _("Invitations"),
        "invitation_application_share": _("Invited who applied"),
        "invitation_member_share": _("Invited who joined"),
        "events_held": _("Events"),
        "registrations": _("Registrations"),
        "attendance_rate": _("Attendance"),
        "attended_last_90_share": _("Members at an event in %(days)s days")
        % {"days": ATTENDED_DAYS},
        "attended_elsewhere": _("Visits to other networks"),
    }
    return [(column, labels[column]) for column in COLUMNS]


def _ties_headers() -> list[tuple[str, str]]:
    labels = {
        "name": _("Network"),
        "connections_per_member": _("Connections per member"),
        "connected_30_share": _("New members connected within 30 days"),
        "connected_90_share": _("New members connected within 90 days"),
        "connections_cross_share": _("Connections across networks"),
        "asks_posted": _("Asks posted"),
        "asks_answered_share": _("Asks answered within 7 days"),
        "introductions_made": _("Introductions made"),
        "introductions_accepted": _("Introductions accepted"),
        "one_to_ones": _("One-to-ones"),
        "referrals_passed": _("Referrals passed"),
        "referrals_won": _("Referrals won"),
        "referral_value_won": _("Business won (€)"),
        "connections_per_event": _("Connections per event"),
        "first_collaboration": _("First collaborations"),
    }
    return [(column, labels[column]) for column in TIES_COLUMNS]


def _funnel_steps(row: Figures) -> list[tuple[str, int]]:
    labels = {
        "invitations_sent": _("invited"),
        "applications": _("applied"),
        "approved": _("approved"),
        "first_event": _("first event attended"),
        "active_after_90": _("active after %(days)s days") % {"days": ACTIVE_AFTER_DAYS},
        "first_collaboration": _("first real collaboration"),
    }
    return [(labels[step], getattr(row, step)) for step in FUNNEL]


def _chart_data(board: Dashboard) -> dict:
    charts = dict(board.charts)
    charts["labels"] = {
        "applications": _("applications"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "funnel": [label for label, _value in _funnel_steps(board.totals)],
    }
    return charts


def _export_payload(board: Dashboard) -> dict:
    return {
        "as_of": board.as_of.isoformat() if board.as_of else None,
        "generated_at": timezone.now().isoformat(),
        "period": {
            "key": board.period.key,
            "start": board.period.start.isoformat(),
            "end": board.period.end.isoformat(),
        },
        "networks": [row.as_export() for row in board.rows],
        "totals": board.totals.as_export(),
    }


@staff_required
def federation_stats_json(request: HttpRequest) -> HttpResponse:
    _form, board = _federation(request)
    return JsonResponse(_export_payload(board), json_dumps_params={"indent": 1})


EXPORT_FIELDS = list(Figures().as_export())


@staff_required
def federation_stats_csv(request: HttpRequest) -> HttpResponse:
    _form, board = _federation(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="clubin-stats.csv"'
    payload = _export_payload(board)
    writer = csv.writer(response)
    writer.writerow(["# as_of", payload["as_of"], "period", payload["period"]["start"],
                     payload["period"]["end"]])  # fmt: skip
    writer.writerow(EXPORT_FIELDS)
    for row in [*payload["networks"], payload["totals"]]:
        writer.writerow([_cell(row[name]) for name in EXPORT_FIELDS])
    return response


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


@network_view(Role.COORDINATOR)
def network_stats(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form, params = _read(request)
    period = period_for(params["key"], start=params.get("start"), end=params.get("end"))
    board = dashboard(period=period, only=network)
    context = {
        "network": network,
        "headers": _headers(),
        "ties_headers": _ties_headers(),
        "unconnected_after": UNCONNECTED_AFTER_DAYS,
        "form": form,
        "board": board,
        "row": board.rows[0],
        "cards": [board.rows[0], board.federation],
        "age_buckets": AGE_BUCKETS,
        **_chart_context(board),
    }
    return render(request, "stats/network.html", context)


# --- Refresh now ------------------------------------------------------------------------------
JUST_REFRESHED_SECONDS = 10  # a click right after a refresh (anyone's) recomputes nothing
KEPT_PARAMETERS = ("period", "start", "end", "region", "sort")


def _refresh(request: HttpRequest, dashboard_url: str) -> HttpResponse:
    """Recompute the recent days now (in-process without a worker), then show the dashboard
    again with the period the person was looking at."""
    if not ratelimit.consume(request, action="stats_refresh"):
        return ratelimit.respond_429(request)
    if not stats_refreshed_within(seconds=JUST_REFRESHED_SECONDS):
        stats_refresh_recent.delay()
    if stats_refreshed_within(seconds=JUST_REFRESHED_SECONDS):
        messages.success(request, _("The figures are up to date."))
    else:
        messages.info(request, _("The figures are being refreshed: reload the page in a minute."))
    return redirect(_back_to(dashboard_url, request.POST.get("query", "")), permanent=False)


def _back_to(url: str, query: str) -> str:
    """The dashboard with the filters it had: only its own parameters, re-encoded."""
    given = QueryDict(query[:500])
    kept = QueryDict(mutable=True)
    for name in KEPT_PARAMETERS:
        value = given.get(name, "")[:80]
        if value:
            kept[name] = value
    return f"{url}?{kept.urlencode()}" if kept else url


@staff_required
@require_POST
def federation_refresh(request: HttpRequest) -> HttpResponse:
    return _refresh(request, reverse("federation_home"))


@require_POST
@network_view(Role.COORDINATOR)
def network_refresh(request: NetworkRequest, network_slug: str) -> HttpResponse:
    url = reverse("manage_stats", kwargs={"network_slug": request.network.slug})
    return _refresh(request, url)
