import pytest

from tests.conftest import needs_redis


@pytest.mark.django_db
def test_it_reports_the_database_up_and_the_broker_down(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # closed port
    response = client.get("/healthz")
    assert response.status_code == 200  # the site works without a broker: mail waits
    assert {k: response.json()[k] for k in ("database", "broker")} == {
        "database": "ok",
        "broker": "down",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_reports_eager_mode_without_a_broker(client, settings):
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert client.get("/healthz").json() == {"database": "ok", "broker": "eager", "cache": "local"}


@needs_redis
@pytest.mark.django_db
def test_it_reports_a_live_broker(client):
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_it_reports_the_database_down(client, monkeypatch):
    from clubin import views

    def broken_cursor():
        raise OSError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
