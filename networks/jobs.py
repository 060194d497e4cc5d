"""The one way to run a periodic job for every network.

Each network runs inside its own scope and its own transaction, so a job sees only that network's
rows, a failure rolls back that network's work alone, and its emails reach the broker once its
changes are committed. One network's failure neither stops the others nor goes unnoticed: it is
logged with its traceback, and the report names it, so the task fails at the end and the next run
(the jobs are idempotent) tries again.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django_scopes import scope

from networks.models import Network

logger = logging.getLogger(__name__)

# A job does one network's share of the work and says how many things it did (emails queued,
# memberships lapsed...).
Job = Callable[[Network], int]


class JobFailed(Exception):
    """A periodic job failed in some networks; the others were done."""

    def __init__(self, report: "JobReport") -> None:
        super().__init__(f"{report.job} failed for {', '.join(report.failed)}")
        self.report = report


@dataclass
class JobReport:
    """What one run did: each network's count where it succeeded, the slugs where it failed."""

    job: str
    done: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.done.values())

    def total_or_raise(self) -> int:
        """The count for a task to return, or JobFailed so that the task run shows as failed."""
        if self.failed:
            raise JobFailed(self)
        return self.total


def for_each_network(job: Job, *, networks: Iterable[Network] | None = None) -> JobReport:
    """Run ``job`` for every network (or the ones given), in primary-key order."""
    report = JobReport(job=getattr(job, "__name__", repr(job)))
    for network in Network.objects.order_by("pk") if networks is None else networks:
        try:
            with scope(network=network), transaction.atomic():
                report.done[network.slug] = job(network)
        except Exception:
            logger.exception("Network %s: %s failed", network.slug, report.job)
            report.failed.append(network.slug)
    _log_summary(report)
    return report


def _log_summary(report: JobReport) -> None:
    done = len(report.done)
    if report.failed:
        failed = ", ".join(report.failed)
        logger.error("%s: done in %d network(s), failed in %s", report.job, done, failed)
    else:
        logger.info("%s: done in %d network(s), %d in all", report.job, done, report.total)
