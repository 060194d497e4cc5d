from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django_scopes import scope, scopes_disabled

from networks.access import Decision, Role, network_access
from networks.http import as_network_request
from networks.selectors import membership_for_user, network_by_slug

GetResponse = Callable[[HttpRequest], HttpResponse]


class NetworkMiddleware:
    """Resolve ``/<network>/…`` once, check access, and run the view inside the network's scope.

    Pages outside a network run with no scope at all, so a stray query on a network-owned model
    raises instead of reading every region. The admin is federation staff's cross-network tool
    and runs unscoped.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("network_slug")
        if slug is None:
            return self.get_response(request)
        return self._within_network(request, slug, getattr(match.func, "network_role", None))

    def _within_network(self, request: HttpRequest, slug: str, role: Role | None) -> HttpResponse:
        if role is None:
            raise RuntimeError(f"{request.path_info}: network views must declare a role")
        network = network_by_slug(slug=slug)
        if network is None:
            raise Http404
        with scope(network=network):
            membership = membership_for_user(network=network, user=request.user)
            decision = network_access(
                request=request, network=network, membership=membership, role=role
            )
            if decision is Decision.LOGIN:
                return redirect_to_login(request.get_full_path())
            if decision is Decision.NOT_FOUND:
                raise Http404
            if decision is Decision.FORBIDDEN:
                raise PermissionDenied
            return self.get_response(
                as_network_request(request, network=network, membership=membership)
            )


class PrivatePagesMiddleware:
    """Whatever answers a signed-in person stays out of shared and browser caches.

    One rule instead of a decorator per view: cards, tickets, rosters, queues and figures all
    answer signed-in people, and a view forgotten in a list would be served from a proxy or the
    back button after logout. A view whose answer is the same for everyone says so with
    ``Cache-Control: public`` (django.views.decorators.cache.cache_control(public=True)); one
    whose answer the person's own browser may keep a while (a profile photo, whose address
    changes with it) says ``private, max-age=…``.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _declared_cacheable(response):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _declared_cacheable(response: HttpResponse) -> bool:
    header = response.get("Cache-Control", "")
    directives = {d.strip().lower().split("=")[0] for d in header.split(",")}
    return "public" in directives or {"private", "max-age"} <= directives
