"""A person's photo, to whoever may see their profile: the only way a photo leaves the storage."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from members.selectors.photos import photo_content, photo_version, visible_photo

# The visitor's own browser may keep a photo this long (the address changes with the photo);
# never a shared cache. networks.middleware.PrivatePagesMiddleware leaves this as it is.
MAX_AGE = 3600


@require_safe
def profile_photo(request: HttpRequest, user_id: int) -> HttpResponse:
    """The same 404 for no such person, no photo, and a profile the visitor may not see."""
    name = visible_photo(viewer=request.user, user_id=user_id)
    if not name:
        raise Http404
    etag = f'"{photo_version(name)}"'
    response = get_conditional_response(request, etag=etag)  # a 304 when the browser has it
    if response is None:
        found = photo_content(name=name)
        if found is None:
            raise Http404
        content, content_type = found
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    return response
