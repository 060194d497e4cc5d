"""Small builders for membership tests: applications and members without the web forms."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope
from PIL import Image

from members.models import MembershipApplication, User
from members.services.photos import profile_photo_set
from members.services.profiles import profile_update
from networks.models import Membership, Network
from tests.conftest import make_user


def applicant(n: int, *, sector: str = "ict", company: str = "") -> User:
    user = make_user(f"aspirante{n}@example.com", first_name=f"Nome{n}", last_name=f"Cognome{n}")
    profile_update(user=user, company=company or f"Azienda {n}", sector=sector, city="Firenze")
    return user


def application(network: Network, user: User, **fields) -> MembershipApplication:
    with scope(network=network):
        return MembershipApplication.objects.create(
            network=network,
            user=user,
            motivation=fields.pop("motivation", "Voglio contribuire alla rete."),
            privacy_version="2026-11",
            privacy_acknowledged_at=timezone.now(),
            **fields,
        )


def applications(network: Network, count: int, start: int = 0) -> list[MembershipApplication]:
    return [application(network, applicant(start + n)) for n in range(count)]


def member(network: Network, user: User, card: int, **fields) -> Membership:
    with scope(network=network):
        return Membership.objects.create(network=network, user=user, card_number=card, **fields)


def with_photo(user: User, colour: str = "teal") -> str:
    """Give ``user`` a stored photo, as the profile form hands it over; its stored name."""
    out = io.BytesIO()
    Image.new("RGB", (400, 400), colour).save(out, "JPEG")
    profile = profile_photo_set(user=user, image=ContentFile(out.getvalue(), name="photo.jpg"))
    return profile.photo.name
