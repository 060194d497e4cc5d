"""Name badges for the check-in desk, as a PDF to print: everyone, or one person again."""

from django.http import Http404, HttpResponse
from django.utils import formats, timezone
from django.utils.text import slugify

from events.badges import badges_pdf
from events.models import Event
from events.selectors import badge_rows
from events.views.manage import managed_event
from members.http import MemberNetworkRequest
from networks.access import Role, network_view
from networks.inputs import query_int


@network_view(Role.COORDINATOR)
def event_badges(request: MemberNetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """Any state of the event prints (a cancelled or past one harms nobody); ``?only=<id>``
    reprints one badge, and an id that is no place at this event is a 404."""
    event = managed_event(request, event_id)
    only = None
    if "only" in request.GET:
        only = query_int(request.GET["only"])
        if only is None:
            raise Http404
    rows = badge_rows(event=event, only=only)
    if only is not None and not rows:
        raise Http404
    starts = timezone.localtime(event.starts_at)
    pdf = badges_pdf(
        rows=rows, title=event.title, subtitle=formats.date_format(starts, "DATE_FORMAT")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The name is a slug: ASCII letters, digits and hyphens, nothing to quote.
    response["Content-Disposition"] = f'attachment; filename="{badges_filename(event, only=only)}"'
    return response


def badges_filename(event: Event, *, only: int | None = None) -> str:
    """ASCII, from the title and the date: ``aperitivo-di-florencein-2026-03-12-badges.pdf``."""
    title = slugify(event.title)[:60].strip("-_") or "event"
    day = timezone.localtime(event.starts_at).date().isoformat()
    what = f"badge-{only}" if only is not None else "badges"
    return f"{title}-{day}-{what}.pdf"
