"""Settings read from the environment: each case runs in a fresh interpreter with its own env."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "health": db.get("CONN_HEALTH_CHECKS", False),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"], "email": settings.EMAIL_BACKEND,
    "linkedin": settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"],
}))
"""
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "-production-secret",
    "ALLOWED_HOSTS": "clubin.example",
    "DATABASE_URL": "postgres://clubin@127.0.0.1:5432/clubin",
}


OUTSIDE_ENV = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
OUTSIDE_ENV |= {"DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests in this process
OUTSIDE_ENV |= {"MEDIA_ROOT", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION"}
OUTSIDE_ENV |= {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}


def _run(env: dict[str, str], code: str = PROBE, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OUTSIDE_ENV}
    command = [sys.executable, *(args or ("-c", code))]
    return subprocess.run(
        command, env={**clean, "DJANGO_SETTINGS_MODULE": "clubin.settings", **env},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _settings(env: dict[str, str]) -> dict:
    result = _run(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_runs_on_sqlite_with_eager_tasks_by_default():
    found = _settings({})
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["cache"].endswith("LocMemCache")
    assert found["email"].endswith("console.EmailBackend")
    assert found["linkedin"] == []


def test_it_uses_postgres_and_redis_from_the_environment():
    found = _settings(
        {
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/clubin",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        }
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "clubin"
    assert found["health"] is True
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["cache"].endswith("RedisCache")


def test_it_reads_smtp_from_email_url():
    found = _settings({"EMAIL_URL": "smtp://mailer:pw@smtp.example.com:587"})
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_it_offers_linkedin_only_with_both_credentials():
    assert _settings({"LINKEDIN_CLIENT_ID": "id-only"})["linkedin"] == []
    [app] = _settings({"LINKEDIN_CLIENT_ID": "abc", "LINKEDIN_CLIENT_SECRET": "s3cret"})["linkedin"]
    assert app["provider_id"] == "linkedin"
    assert app["settings"]["server_url"] == "https://www.linkedin.com/oauth"
    assert app["settings"]["oauth_pkce_enabled"] is True


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_it_refuses_to_start_in_production_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_it_passes_the_deploy_check_with_production_variables():
    result = _run(PRODUCTION, "", "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_it_builds_allauths_links_with_the_protocol_of_site_url():
    # DEBUG off used to force https, so `make serve`'s plain-http links did not open.
    code = "import django; from django.conf import settings; django.setup(); "
    code += "print(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)"
    plain = _run({**PRODUCTION, "SITE_URL": "http://127.0.0.1:8123"}, code)
    secure = _run({**PRODUCTION, "SITE_URL": "https://clubin.example.org"}, code)
    assert (plain.stdout.strip(), secure.stdout.strip()) == ("http", "https"), plain.stderr


@pytest.mark.parametrize("target", ["run", "serve"])
def test_it_sets_site_url_from_the_port_in_make(target):
    """`make run` / `make serve` on another port link their emails to that port."""
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env |= {"SITE_URL": "https://elsewhere.example", "DATABASE_URL": "x", "REDIS_URL": "x"}
    result = subprocess.run(
        ["make", "-n", target, "PORT=8080"], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    given = re.findall(r"SITE_URL=(\S+)", result.stdout)
    assert given and set(given) == {"http://127.0.0.1:8080"}, result.stdout


STORAGE_PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
options = {name: getattr(default_storage, name, None) for name in (
    "bucket_name", "endpoint_url", "access_key", "secret_key", "region_name", "default_acl",
    "file_overwrite", "location",
)}
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"], "class": type(default_storage).__name__,
    "media_root": str(settings.MEDIA_ROOT), "options": options,
}))
"""


def _storage(env: dict[str, str]) -> dict:
    result = _run(env, STORAGE_PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_keeps_photos_on_disk_under_media_root_by_default():
    found = _storage({})
    assert found["class"] == "FileSystemStorage"
    assert found["media_root"] == str(ROOT / "media")
    assert found["options"]["location"] == str(ROOT / "media")
    moved = _storage({"MEDIA_ROOT": "/srv/clubin/media"})
    assert moved["media_root"] == moved["options"]["location"] == "/srv/clubin/media"


def test_it_keeps_photos_in_s3_when_a_bucket_is_named():
    found = _storage(
        {
            "S3_BUCKET": "clubin-photos",
            "S3_ENDPOINT_URL": "https://s3.example.org",
            "S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "S3_SECRET_ACCESS_KEY": "secret-example",
            "S3_REGION": "eu-south-1",
        }
    )
    assert found["backend"] == "storages.backends.s3.S3Storage"
    assert found["class"] == "S3Storage"
    assert found["options"] | {"location": None} == {
        "bucket_name": "clubin-photos",
        "endpoint_url": "https://s3.example.org",
        "access_key": "AKIDEXAMPLE",
        "secret_key": "secret-example",
        "region_name": "eu-south-1",
        "default_acl": None,  # never public-read: photos are served through ClubIN only
        "file_overwrite": False,
        "location": None,
    }
    # Without an endpoint or keys, boto3 finds Amazon's and the machine's own credentials.
    bare = _storage({"S3_BUCKET": "clubin-photos"})["options"]
    assert (bare["endpoint_url"], bare["access_key"], bare["region_name"]) == (None, None, None)
