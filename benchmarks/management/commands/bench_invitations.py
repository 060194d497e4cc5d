"""Benchmark: 10,000 invitations through the outbox, Redis and real Celery workers.

Measured in one run against one SMTP sink that counts messages by Message-ID:

* floor: the same number of messages sent by plain Django ``send_messages`` over reused SMTP
  connections, from as many processes as the worker has: no Celery, no database;
* ClubIN: invitations created and queued through the outbox, from commit to the last message;
* naive: one Celery task and one SMTP connection per email;
* kill: ClubIN again, with the worker killed (SIGKILL) a third of the way and restarted.

It prints one JSON line. It needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), starts Redis
if it is not answering, and removes the rows it created.
"""

import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from members.models import Invitation, User
from members.services.invitations import Invitee, _create
from networks.models import Network
from outbox.services import (
    Email,
    email_queue_many,
    email_render,
    outbox_delete_network,
    outbox_sweep,
)

SAMPLE_CONTEXT = {
    "network_name": "Bench", "inviter_name": "Bench", "invitee_name": "Persona", "message": "",
    "accept_url": "https://clubin.example/invite/" + "x" * 43 + "/", "expires_on": "2026-12-31",
    "optout_url": "https://clubin.example/unsubscribe/" + "x" * 100 + "/",
}  # fmt: skip
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.I | re.M)
TO_DOMAIN = re.compile(rb"^To:\s*\S+@(\S+)", re.I | re.M)


DOMAINS = ("floor.bench", "path.bench", "naive.bench", "kill.bench")


class _CountingHandler:
    def __init__(self, counters: Any) -> None:  # a shared-memory array of counts
        self.counters = counters  # per domain: unique, total
        self.seen: set[bytes] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        domain = TO_DOMAIN.search(content)
        message_id = MESSAGE_ID.search(content)
        name = domain.group(1).decode() if domain else ""
        if name in DOMAINS:
            slot = DOMAINS.index(name) * 2
            key = message_id.group(1) if message_id else b"?"
            if key not in self.seen:
                self.seen.add(key)
                self.counters[slot] += 1
            self.counters[slot + 1] += 1
        return "250 OK"


def _sink_process(port: int, counters: Any, ready: Any, stop: Any) -> None:
    controller = Controller(_CountingHandler(counters), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """An aiosmtpd server in its own process (its own core time, like a real mail relay),
    counting messages per recipient domain and Message-ID into shared memory."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        context = multiprocessing.get_context("fork")  # the sink needs no database, only code
        self.counters = context.Array("q", len(DOMAINS) * 2, lock=False)
        self.ready, self.stopping = context.Event(), context.Event()
        self.process = context.Process(
            target=_sink_process, args=(self.port, self.counters, self.ready, self.stopping)
        )

    def start(self) -> int:
        connection.close()  # no database connection may be shared with a forked child
        self.process.start()
        if not self.ready.wait(30):
            raise CommandError("The SMTP sink did not start")
        return self.port

    def stop(self) -> None:
        self.stopping.set()
        self.process.join(10)

    def unique(self, domain: str) -> int:
        return self.counters[DOMAINS.index(domain) * 2]

    def total(self, domain: str) -> int:
        return self.counters[DOMAINS.index(domain) * 2 + 1]


def _floor_sender(port: int, start: int, stop: int, rendered: tuple[str, str, str]) -> None:
    """The same message as an invitation, already rendered, sent 200 per connection."""
    from django.core.mail.backends.smtp import EmailBackend

    subject, text, html = rendered
    backend = EmailBackend(host="127.0.0.1", port=port, timeout=10)
    for batch_start in range(start, stop, 200):
        messages = []
        for n in range(batch_start, min(batch_start + 200, stop)):
            message = EmailMultiAlternatives(
                subject, text, settings.DEFAULT_FROM_EMAIL, [f"p{n}@floor.bench"],
                headers={"Message-ID": f"<floor-{n}@bench>"},
            )  # fmt: skip
            message.attach_alternative(html, "text/html")
            messages.append(message)
        with backend:
            backend.send_messages(messages)


class Command(BaseCommand):
    help = "Measure invitation fan-out against the floor and a naive design (see the module)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--naive-count", type=int, default=2_000)
        # Sending waits on the SMTP server most of the time: four processes keep two cores busy.
        parser.add_argument("--concurrency", type=int, default=4)

    def handle(
        self, *args: Any, count: int, naive_count: int, concurrency: int, **options: Any
    ) -> None:
        self._require_services()
        self.sink = Sink()
        self.port = self.sink.start()
        self.concurrency = concurrency
        # Short leases and grace so that recovery after the kill is measured in seconds.
        settings.OUTBOX_LEASE_SECONDS = 10
        settings.OUTBOX_SWEEP_GRACE_SECONDS = 2
        self.network = self._network()
        try:
            result = self._run(count, naive_count)
        finally:
            self._stop_worker()
            self._clean()
            self.sink.stop()
        self.stdout.write(json.dumps(result))

    def _run(self, count: int, naive_count: int) -> dict:
        floor = self._floor(count)
        self._start_worker()
        seconds = self._clubin(count, "path.bench")
        queue_seconds = self.queue_seconds
        naive = self._naive(naive_count)
        kill = self._kill(count)
        return {
            "count": count,
            "seconds": round(seconds, 2),
            "per_second": round(count / seconds),
            "floor_per_second": round(count / floor),
            "ratio_to_floor": round(floor / seconds, 2),
            "naive_per_second": round(naive_count / naive),
            "ratio_to_naive": round((count / seconds) / (naive_count / naive), 2),
            "unique": self.sink.unique("path.bench"),
            "duplicates": self.sink.total("path.bench") - self.sink.unique("path.bench"),
            "after_kill_unique": self.sink.unique("kill.bench"),
            "after_kill_duplicates": self.sink.total("kill.bench") - self.sink.unique("kill.bench"),
            "after_kill_seconds": round(kill, 2),
            "queue_seconds": round(queue_seconds, 2),
            "concurrency": self.concurrency,
        }

    # --- set-up ------------------------------------------------------------------------------
    def _require_services(self) -> None:
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark "
                               "measures the real queue.")  # fmt: skip
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        except redis.RedisError:
            subprocess.run(
                ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                 "--save", "", "--appendonly", "no"], check=True,
            )  # fmt: skip
            time.sleep(1)

    def _network(self) -> Network:
        slug = f"bench-{int(time.time())}"
        network = Network.objects.create(slug=slug, name="Bench", region="-", city="-")
        self.inviter = User.objects.create(email=f"inviter@{slug}.example", first_name="Bench")
        return network

    def _clean(self) -> None:
        with scopes_disabled():
            Invitation.objects.filter(network=self.network).delete()
            self.network.delete()
        outbox_delete_network(network_id=self.network.pk)
        self.inviter.delete()

    def _start_worker(self) -> None:
        # A production worker: DEBUG off (cached templates), short leases for the kill test.
        env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{self.port}", "DEBUG": "0",
               "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "localhost",
               "OUTBOX_LEASE_SECONDS": "10", "OUTBOX_SWEEP_GRACE_SECONDS": "2"}  # fmt: skip
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clubin", "worker", "--loglevel=ERROR",
             f"--concurrency={self.concurrency}", "--prefetch-multiplier=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--include=benchmarks.outbox", f"--hostname=bench-{os.getpid()}@%h"],
            env=env, start_new_session=True,
        )  # fmt: skip
        from celery import current_app as app  # clubin's: a lower app imports no project code

        deadline = time.monotonic() + 30
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline:
                raise CommandError("The Celery worker did not start")

    def _stop_worker(self) -> None:
        worker = getattr(self, "worker", None)
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    def _wait(self, domain: str, count: int, *, sweep: bool = False) -> None:
        swept = time.monotonic()
        while self.sink.unique(domain) < count:
            time.sleep(0.05)
            if sweep and time.monotonic() - swept > 2:
                outbox_sweep()  # what beat does every minute, more often here
                swept = time.monotonic()

    # --- the four measurements ----------------------------------------------------------------
    def _floor(self, count: int) -> float:
        per_process = -(-count // self.concurrency)
        context = multiprocessing.get_context("fork")
        connection.close()
        started = time.monotonic()
        rendered = email_render(template="invitation", context=SAMPLE_CONTEXT, language="it")
        processes = [
            context.Process(
                target=_floor_sender,
                args=(self.port, i * per_process, min(count, (i + 1) * per_process), rendered),
            )
            for i in range(self.concurrency)
        ]
        for process in processes:
            process.start()
        self._wait("floor.bench", count)
        for process in processes:
            process.join()
        return time.monotonic() - started

    def _invite(self, count: int, domain: str) -> None:
        invitees = [Invitee(f"p{n}@{domain}", f"Persona {n}") for n in range(count)]
        started = time.monotonic()
        with scope(network=self.network), transaction.atomic():
            _create(network=self.network, inviter=self.inviter, invitees=invitees,
                    by_coordinator=True)  # fmt: skip
        self.queue_seconds = time.monotonic() - started

    def _clubin(self, count: int, domain: str) -> float:
        self._invite(count, domain)
        started = time.monotonic()  # from the commit, as the issue measures it
        self._wait(domain, count)
        return time.monotonic() - started

    def _naive(self, count: int) -> float:
        from benchmarks.outbox import naive_send

        emails = [
            Email(
                template="invitation",
                to=f"p{n}@naive.bench",
                context={"network_name": "Bench", "accept_url": "x", "expires_on": "-"},
                idempotency_key=f"naive:{self.network.pk}:{n}",
                network_id=self.network.pk,
                language=self.network.language,
                render_later=True,
            )
            for n in range(count)
        ]
        rows = email_queue_many(emails, on_duplicate="error", dispatch=False)
        ids = [row.pk for row in rows]
        started = time.monotonic()
        for email_id in ids:
            naive_send.delay(email_id)
        self._wait("naive.bench", count)
        return time.monotonic() - started

    def _kill(self, count: int) -> float:
        started = time.monotonic()
        self._invite(count, "kill.bench")
        while self.sink.unique("kill.bench") < count // 3:
            time.sleep(0.01)
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()
        self._start_worker()
        self._wait("kill.bench", count, sweep=True)
        return time.monotonic() - started
