"""ClubIN as an app on a phone's home screen: the web app manifest and the service worker.

Both are served from the site's root: a service worker only controls pages under its own path,
and the card (/me/) and tickets (/<network>/events/…) live at the top of the site.
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

THEME_COLOUR = "#1565c0"  # the mark's blue (static/img/favicon.svg)
SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"


@require_GET
@vary_on_headers("Cookie", "Accept-Language")  # the description is in the reader's language
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": "ClubIN",
        "short_name": "ClubIN",
        "description": _("Your networks, events, card and tickets."),
        "start_url": reverse("members:me"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The static file's content at /sw.js. `no-cache` (`no-store` for a signed-in person, as
    every answer to them): the browser asks again on each visit, so a new version of the worker
    is taken in at once."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
