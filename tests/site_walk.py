"""Walk the whole site as tests need it: every URL pattern, made concrete, and every form class.

Discovered, not listed: a page or form added later is walked without editing the tests.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.module_loading import import_string
from django_scopes import scope

from events.models import Event
from events.services.registrations import registration_register
from members.models import ApplicationQuestion
from members.services.invitations import Invitee, invitation_batch_preview, invitation_send
from networks.models import Membership
from tests.conftest import Personas
from tests.events.factories import make_event
from tests.members.factories import applicant, application
from ties.models import Introduction, OneToOne, Origin, Post, Referral
from ties.services.connections import connection_make

PROJECT_APPS = ("networks", "members", "events", "ties", "clubin.stats", "outbox")
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Page:
    route: str  # such as "<slug:network_slug>/events/<int:event_id>/"
    name: str

    @property
    def numbers(self) -> list[str]:
        """The names of its numeric path parameters."""
        return [m["name"] for m in _PLACEHOLDER.finditer(self.route) if m["converter"] == "int"]

    def path(self, values: dict[str, str], **overrides: str) -> str:
        def fill(match: re.Match) -> str:
            return str({**values, **overrides}.get(match["name"], "1"))

        return "/" + _PLACEHOLDER.sub(fill, self.route)


def site_pages() -> list[Page]:
    """Every path-style URL pattern of the project, the admin aside (Django's own)."""
    return list(_walk(get_resolver(), ""))


def _walk(resolver: URLResolver, prefix: str):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                continue
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield Page(route=prefix + str(entry.pattern), name=entry.name or "")


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every Form and ModelForm defined in the project's apps, plus the signup form it sets."""
    for app in PROJECT_APPS:
        _import_all(f"{app}.forms")
    for dotted in settings.ACCOUNT_FORMS.values():
        import_string(dotted)
    found = {
        cls
        for base in (forms.Form, forms.ModelForm)
        for cls in _subclasses(base)
        if cls.__module__.split(".")[0]
        in {"networks", "members", "events", "ties", "clubin", "outbox"}
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _import_all(module_name: str) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        importlib.import_module(f"{module_name}.{info.name}")


def _subclasses(cls: type) -> set[type]:
    result = set()
    for sub in cls.__subclasses__():
        result |= {sub, *_subclasses(sub)}
    return result


@dataclass
class Site:
    """One of everything a page may name, in FlorenceIN, and the values for its URLs."""

    personas: Personas
    event: Event
    values: dict[str, str] = field(default_factory=dict)


def site_objects(personas: Personas) -> Site:
    florence, alice, bob = personas.florence, personas.alice, personas.bob
    event = make_event(florence, by=alice, visibility=Event.Visibility.PUBLIC, guests_per_member=1)
    with scope(network=florence):
        registration, _new = registration_register(event=event, user=bob)
        pending = application(florence, applicant(1))
        invitation = invitation_send(
            network=florence,
            inviter=alice,
            invitee=Invitee("invitee@example.com", "Ivo", ""),
            by_coordinator=True,
        )
        batch = invitation_batch_preview(
            network=florence, created_by=alice, data=b"email\nrow@example.com,Row\n"
        )
        question = ApplicationQuestion.objects.create(
            network=florence, label="Perché?", kind=ApplicationQuestion.Kind.SHORT_TEXT
        )
        bob_membership = Membership.objects.get(network=florence, user=bob)
        post = Post.objects.create(
            network=florence, author=alice, title="Un notaio a Padova", expires_on="2100-01-01"
        )
        referral = Referral.objects.create(
            network=florence, giver=alice, receiver=bob, what="Uffici nuovi", for_whom="Rossi"
        )
    connection = connection_make(user_a=alice, user_b=bob, origin=Origin.ASK)
    with scope(network=florence):
        introduction = Introduction.objects.create(
            network=florence, introducer=personas.charlie, first=alice, second=bob
        )
        one_to_one = OneToOne.objects.create(
            network=florence, recorded_by=alice, other=bob, met_on="2026-01-15"
        )
    values = {
        "network_slug": florence.slug,
        "slug": florence.slug,
        "event_id": str(event.pk),
        "registration_id": str(registration.pk),
        "application_id": str(pending.pk),
        "invitation_id": str(invitation.pk),
        "batch_id": str(batch.pk),
        "membership_id": str(bob_membership.pk),
        "question": str(question.pk),
        "token": "not-a-token",
        "email_id": "1",
        "post_id": str(post.pk),
        "connection_id": str(connection.pk),
        "referral_id": str(referral.pk),
        "introduction_id": str(introduction.pk),
        "one_to_one_id": str(one_to_one.pk),
        "user_id": str(personas.charlie.pk),
    }
    return Site(personas=personas, event=event, values=values)
