"""The outbox: written with the change, handed over after commit, claimed once, retried well."""

import smtplib
import threading
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import OutboxEmail
from tests.conftest import needs_postgres

Status = OutboxEmail.Status


def _queue(key: str | None = None, **extra) -> OutboxEmail:
    return services.outbox_add(
        template="test", to="anna@example.com", subject="Ciao", body_text="Testo",
        body_html="<p>Testo</p>", idempotency_key=key, **extra,
    )  # fmt: skip


@pytest.mark.django_db
def test_it_writes_nothing_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            _queue("rolled-back")
            raise RuntimeError("the business change failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxEmail.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_it_keeps_one_row_for_one_idempotency_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = _queue("application-decided:7")
        second = _queue("application-decided:7")
    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_it_sends_after_commit(smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue("after-commit")
        assert smtp_sink.messages == []  # nothing leaves before the commit
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 1
    [message] = smtp_sink.messages
    assert message["Subject"] == "Ciao"
    assert message["Message-ID"] == email.message_id
    assert message.is_multipart()


@pytest.mark.django_db
def test_it_lets_only_one_claim_win():
    email = _queue("claimed")
    assert services.outbox_claim(email_id=email.pk) is True
    assert services.outbox_claim(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.status == Status.SENDING and email.attempts == 1


@pytest.mark.django_db
def test_it_reclaims_a_row_whose_worker_died(smtp_sink):
    email = _queue("orphan")
    services.outbox_claim(email_id=email.pk)
    assert services.outbox_deliver(email_ids=[email.pk]) == 0  # still leased
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)):
        assert services.outbox_due_ids() == [email.pk]
        assert services.outbox_deliver(email_ids=[email.pk]) == 1
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db
def test_it_retries_4xx_with_growing_backoff_then_delivers_once(smtp_sink):
    smtp_sink.script("421 4.3.2 busy, try later", "451 4.3.0 temporary failure")
    email = _queue("retried")
    delays = []
    for _ in range(3):
        attempted_at = email.next_attempt_at
        with time_machine.travel(attempted_at, tick=False):
            services.outbox_deliver(email_ids=[email.pk])
        email.refresh_from_db()
        if email.status == Status.RETRYING:
            delays.append(email.next_attempt_at - attempted_at)
    assert email.status == Status.SENT
    assert email.attempts == 3
    assert len(smtp_sink.to("anna@example.com")) == 1
    assert len(delays) == 2 and delays[1] > delays[0] > timedelta(0)


@pytest.mark.django_db
def test_it_backs_off_more_after_each_attempt():
    delays = [services.retry_delay(n) for n in range(1, services.MAX_ATTEMPTS)]
    assert all(later > earlier for earlier, later in pairwise(delays))
    assert sum(delays, timedelta()) < timedelta(hours=2)


@pytest.mark.django_db
def test_it_fails_a_5xx_at_once(smtp_sink):
    smtp_sink.script("550 5.1.1 mailbox unavailable")
    email = _queue("permanent")
    assert services.outbox_deliver(email_ids=[email.pk]) == 0
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == 1
    assert "550" in email.last_error
    assert services.outbox_due_ids() == []


@pytest.mark.django_db
def test_it_gives_up_after_the_last_attempt(smtp_sink):
    smtp_sink.script(*["421 busy"] * services.MAX_ATTEMPTS)
    email = _queue("gives-up")
    for _ in range(services.MAX_ATTEMPTS):
        with time_machine.travel(email.next_attempt_at, tick=False):
            services.outbox_deliver(email_ids=[email.pk])
        email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_it_retries_when_the_smtp_server_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    email = _queue("server-down")
    services.outbox_deliver(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.status == Status.RETRYING
    assert "ConnectionRefused" in email.last_error


def test_it_classifies_smtp_answers():
    assert services.smtp_error_is_permanent(smtplib.SMTPDataError(550, b"no"))
    assert not services.smtp_error_is_permanent(smtplib.SMTPDataError(421, b"later"))
    assert services.smtp_error_is_permanent(smtplib.SMTPRecipientsRefused({"a@x.it": (550, b"no")}))
    assert not services.smtp_error_is_permanent(
        smtplib.SMTPRecipientsRefused({"a@x.it": (450, b"later")})
    )
    assert not services.smtp_error_is_permanent(smtplib.SMTPServerDisconnected())
    assert not services.smtp_error_is_permanent(TimeoutError())


@pytest.mark.django_db
def test_it_sweeps_rows_left_behind_but_not_fresh_ones():
    fresh = _queue("fresh")
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        stale = _queue("stale")
    retrying = _queue("retry-due")
    OutboxEmail.objects.filter(pk=retrying.pk).update(status=Status.RETRYING)
    later = _queue("retry-later")
    OutboxEmail.objects.filter(pk=later.pk).update(
        status=Status.RETRYING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    sent = _queue("sent")
    OutboxEmail.objects.filter(pk=sent.pk).update(
        status=Status.SENT, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    assert set(services.outbox_due_ids()) == {stale.pk, retrying.pk}
    assert fresh.pk not in services.outbox_due_ids()


@pytest.mark.django_db
def test_it_sends_swept_rows_in_batches(smtp_sink, monkeypatch):
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        for n in range(120):
            _queue(f"batch:{n}")
    batches = []
    real = services.outbox_deliver

    def counting_deliver(*, email_ids):
        batches.append(len(email_ids))
        return real(email_ids=email_ids)

    monkeypatch.setattr(services, "outbox_deliver", counting_deliver)
    assert services.outbox_sweep() == 120
    assert batches == [50, 50, 20]
    assert len(smtp_sink.messages) == 120
    assert not OutboxEmail.objects.exclude(status=Status.SENT).exists()


@pytest.mark.django_db
def test_it_blanks_secret_bodies_once_sent(settings, smtp_sink):
    settings.OUTBOX_SCRUB_SECRETS = True
    secret = _queue("secret", contains_secret=True)
    plain = _queue("plain")
    services.outbox_deliver(email_ids=[secret.pk, plain.pk])
    secret.refresh_from_db()
    plain.refresh_from_db()
    assert (secret.body_text, secret.body_html) == ("", "")
    assert plain.body_text == "Testo"
    assert "Testo" in smtp_sink.messages[0].get_payload()[0].get_payload()


@pytest.mark.django_db
def test_it_renders_emails_in_the_language_asked(personas):
    context = {
        "network_name": "FlorenceIN",
        "person_name": "Anna",
        "manage_url": "http://x/florence/manage/",
    }
    subject_en, text_en, html_en = services.email_render(
        template="coordinator-appointed", context=context, language="en"
    )
    subject_it, _text, _html = services.email_render(
        template="coordinator-appointed", context=context, language="it"
    )
    assert subject_en == "You are now a coordinator of FlorenceIN"
    assert subject_it != subject_en and "FlorenceIN" in subject_it
    assert "http://x/florence/manage/" in text_en and 'href="http://x/florence/manage/"' in html_en


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_two_workers_claim_the_same_rows(smtp_sink):
    ids = [_queue(f"race:{n}").pk for n in range(20)]
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            services.outbox_deliver(email_ids=ids)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(
        OutboxEmail.objects.get(pk=pk).message_id for pk in ids
    )
    assert OutboxEmail.objects.filter(status=Status.SENT).count() == 20


@pytest.mark.django_db
def test_it_shows_the_development_outbox_only_in_debug(client, settings):
    email = _queue("dev-page")
    settings.DEBUG = False
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{email.pk}/").status_code == 404
    settings.DEBUG = True
    assert b"Ciao" in client.get("/dev/mail/").content
    assert b"Testo" in client.get(f"/dev/mail/{email.pk}/").content


@pytest.mark.django_db
def test_it_merges_personal_values_exactly_as_a_full_render_would():
    shared = {
        "network_name": "FlorenceIN", "inviter_name": "Alice", "message": "Vieni <presto>",
        "expires_on": "2026-12-31", "by_coordinator": True,
        "_personal": ["invitee_name", "accept_url"],
    }  # fmt: skip
    merge = services.MailMerge()
    people = [
        ("Anna <b>Rossi</b>", "https://x/invite/AAA/"),
        ("", "https://x/invite/BBB/"),
        ("Bruno", "https://x/invite/C&D/"),
    ]
    for name, url in people:
        context = {
            **shared,
            "invitee_name": name,
            "accept_url": url,
            "optout_url": "https://x/u/1/",
        }
        row = OutboxEmail(template="invitation", language="it", context=context)
        assert merge.render(row, context) == services.email_render(
            template="invitation", context=context, language="it"
        )
    assert len(merge.cache) == 2  # one render per shape (with and without a name), not per person
