from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from networks.selectors import user_coordinated_networks


def managed_networks(request: HttpRequest) -> dict:
    """The networks the visitor coordinates, queried only if a template asks for them."""
    return {
        "managed_networks": SimpleLazyObject(
            lambda: user_coordinated_networks(user=getattr(request, "user", None) or _Anon())
        )
    }


class _Anon:
    is_authenticated = False
