"""What the demo loaders do on a database without the demo: refuse, and say why.

These need an empty database, so they are kept apart from the modules that load the demo once
for all their tests.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from demo.management.commands.load_demo import NETWORKS
from events.models import Event
from networks.models import Network


@pytest.mark.django_db
def test_it_refuses_to_load_the_federation_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not Network.objects.exists()


def test_it_describes_six_networks():
    assert [n.name for n in NETWORKS] == [
        "MilanIN",
        "FlorenceIN",
        "VenetoIN",
        "CagliariIN",
        "BolognaIN",
        "MarcheIN",
    ]


@pytest.mark.django_db
def test_it_asks_for_the_demo_federation_first():
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_events", force=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_it_refuses_to_load_the_events_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_events")
    with scopes_disabled():
        assert not Event.objects.exists()


@pytest.mark.django_db
def test_it_asks_for_the_demo_federation_before_the_business():
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_ties", force=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_it_refuses_to_load_the_business_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_ties")
