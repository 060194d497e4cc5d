"""Figures follow the changes: a successful write schedules a refresh of the dashboards.

Every change a person makes moves some figure (a decision, a registration, a check-in, a renewal,
an ask on the board), and the services write them in bulk, without signals. So the request is the
unit: an unsafe request that succeeded schedules a refresh after its commit, at most one a minute
(see ``clubin.stats.tasks.stats_refresh_soon``). Signing in and switching language change no figure.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from clubin.stats.tasks import stats_refresh_soon

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
NO_FIGURES = ("/accounts/", "/i18n/", "/static/")
# "Refresh now" has just recomputed the figures itself.
REFRESH_VIEWS = ("federation_stats_refresh", "manage_stats_refresh")


class RefreshAfterChangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and not request.path.startswith(NO_FIGURES)
            and not _is_refresh(request)
        ):
            stats_refresh_soon()
        return response


def _is_refresh(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name in REFRESH_VIEWS
