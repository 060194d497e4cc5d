"""`make serve` runs the stack as production does: gunicorn, a Celery worker and beat, DEBUG off,
static files collected and served by whitenoise. A visitor signs up over HTTP, the verification
email reaches an SMTP server through the real worker and its link opens; then it all stops."""

import http.cookiejar
import os
import re
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from members.models import User
from tests.conftest import needs_redis
from tests.integration.conftest import ROOT, _test_database_url, wait_for
from tests.members.factories import with_photo
from tests.smtp_sink import free_port

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: `make serve` runs the production stack, which uses PostgreSQL",
)
pytestmark = [
    needs_postgres,
    needs_redis,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def _opener() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _up(opener, url: str) -> bool:
    try:
        return opener.open(url, timeout=2).status == 200
    except OSError:
        return False


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _post(opener, url: str, form: dict[str, str]):
    page = opener.open(url).read().decode()
    data = {"csrfmiddlewaretoken": _csrf(page), **form}
    return opener.open(url, urllib.parse.urlencode(data).encode())


def test_it_serves_the_full_stack_and_stops_cleanly(smtp_sink, tmp_path, settings):
    port = free_port()
    # Photos written here by this test are read there by the served stack (never the checkout's).
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": _test_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    env.pop("S3_BUCKET", None)
    stack = subprocess.Popen(
        ["make", "--no-print-directory", "serve"], cwd=ROOT, env=env,
        stdout=(tmp_path / "serve.log").open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: one signal reaches all of it
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    browser = _opener()
    try:
        wait_for(lambda: _up(browser, f"{base}/healthz"), timeout=90)
        health = browser.open(f"{base}/healthz").read().decode()
        assert '"database": "ok"' in health and '"broker": "ok"' in health
        # DEBUG is off: static files come hashed from the collected manifest, via whitenoise.
        home = browser.open(f"{base}/").read().decode()
        css = re.search(r'href="(/static/css/clubin\.[0-9a-f]{12}\.css)"', home)
        assert css, "no hashed stylesheet: collectstatic or DEBUG=0 missing"
        assert browser.open(base + css.group(1)).status == 200

        form = {
            "email": "nuova@example.com",
            "password1": "una password lunga 2026", "password2": "una password lunga 2026",
        }  # fmt: skip
        assert _post(browser, f"{base}/accounts/signup/", form).status == 200
        [message] = wait_for(lambda: smtp_sink.to("nuova@example.com"), timeout=60)
        assert "ClubIN" in message["Subject"]
        # DEBUG is off and the stack is plain http: the link still opens, on this port.
        text = message.get_payload()[0].get_payload(decode=True).decode()
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text)
        assert link and link.group(0).startswith(f"{base}/"), text
        assert _post(browser, link.group(0), {}).status == 200
        # DEBUG is off, nothing serves media: a photo comes through its view, to its owner.
        person = User.objects.get(email="nuova@example.com")
        with_photo(person)
        login = {"login": "nuova@example.com", "password": "una password lunga 2026"}
        assert _post(browser, f"{base}/accounts/login/", login).status == 200
        photo = browser.open(f"{base}/people/{person.pk}/photo/")
        assert photo.headers["Content-Type"] == "image/jpeg"
        assert photo.headers["Cache-Control"] == "private, max-age=3600"
        assert photo.read()[:2] == b"\xff\xd8"
        with pytest.raises(urllib.error.HTTPError) as refused:
            _opener().open(f"{base}/people/{person.pk}/photo/")  # an anonymous visitor
        assert refused.value.code == 404
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        returncode = stack.wait(timeout=30)
        log = (tmp_path / "serve.log").read_text()
    assert "web.1 stopped" in log and "worker.1 stopped" in log and "beat.1 stopped" in log, log
    assert returncode in (0, 2, -signal.SIGTERM), log
