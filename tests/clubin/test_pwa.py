"""ClubIN on a phone's home screen: the manifest, its icons and the service worker."""

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_serves_the_manifest_with_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "ClubIN"
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1565c0"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_it_writes_the_manifest_in_the_readers_language(client):
    italian = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="it").content)
    english = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)

    assert english["description"] == "Your networks, events, card and tickets."
    assert "Accept-Language" in client.get("/manifest.webmanifest")["Vary"]
    assert italian["name"] == english["name"]


def test_it_serves_the_service_worker_at_the_root(client, personas):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    # Asked again on each visit: a new version is taken in at once (never kept, once signed in).
    assert response["Cache-Control"] == "no-cache"
    client.login(email="bob@example.com", password=PASSWORD)
    assert "no-store" in client.get("/sw.js")["Cache-Control"]
    source = response.content.decode()
    assert 'const VERSION = "clubin-offline-' in source
    assert "caches.delete" in source
    assert client.post("/sw.js").status_code == 405


def test_it_links_the_manifest_and_registers_the_worker_on_every_page(client):
    page = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#1565c0">' in page
    assert "/static/js/pwa.js" in page
    register = Path(str(finders.find("js/pwa.js"))).read_text()
    assert 'navigator.serviceWorker.register("/sw.js")' in register
