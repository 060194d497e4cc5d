"""Coordinators' summaries of the queue: a daily digest and a weekly reminder of old ones."""

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from members.models import MembershipApplication
from networks.jobs import for_each_network
from networks.languages import email_language
from networks.models import Membership, Network
from outbox.services import Email, email_queue_many, site_url

PENDING = MembershipApplication.Status.PENDING
STALE_AFTER = timedelta(days=7)


def _coordinators(
    network: Network, *, alerts: str | None = None
) -> QuerySet[Membership, tuple[int, str, str]]:
    rows = Membership.objects.filter(
        network=network, role=Membership.Role.COORDINATOR, status=Membership.Status.ACTIVE
    )
    if alerts:
        rows = rows.filter(application_alerts=alerts)
    return rows.values_list("user_id", "user__email", "user__language")


def _queue_url(network: Network) -> str:
    return site_url("manage_applications", network_slug=network.slug)


def applications_digest_send(*, now: datetime | None = None) -> int:
    """Daily: coordinators who chose a digest hear how many applications arrived in a day."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()

    def applications_digest_queue(network: Network) -> int:
        counts = MembershipApplication.objects.filter(network=network).aggregate(
            new=Count("id", filter=Q(submitted_at__gte=now - timedelta(days=1))),
            pending=Count("id", filter=Q(status=PENDING)),
        )
        if not counts["new"]:
            return 0
        context = {"network_name": network.name, "queue_url": _queue_url(network), **counts}
        return _tell_coordinators(
            network,
            template="applications-digest",
            context=context,
            period=str(day),
            alerts=Membership.Alerts.DAILY,
        )

    return for_each_network(applications_digest_queue).total_or_raise()


def applications_reminder_send(*, now: datetime | None = None) -> int:
    """Weekly: every coordinator hears about applications waiting more than 7 days."""
    now = now or timezone.now()
    week = timezone.localdate(now).isocalendar()

    def applications_reminder_queue(network: Network) -> int:
        stale = MembershipApplication.objects.filter(
            network=network, status=PENDING, submitted_at__lt=now - STALE_AFTER
        ).aggregate(count=Count("id"), oldest=Min("submitted_at"))
        if not stale["count"]:
            return 0
        context = {
            "network_name": network.name,
            "queue_url": _queue_url(network),
            "count": stale["count"],
            "oldest": stale["oldest"],
            "days": STALE_AFTER.days,
        }
        return _tell_coordinators(
            network,
            template="applications-reminder",
            context=context,
            period=f"{week.year}-W{week.week}",
        )

    return for_each_network(applications_reminder_queue).total_or_raise()


def _tell_coordinators(
    network: Network, *, template: str, context: dict, period: str, alerts: str | None = None
) -> int:
    """One email per coordinator, each in their language, once per ``period``: a key already
    queued is skipped, so a rerun of the same day or week sends nothing twice."""
    emails = [
        Email(
            template=template,
            to=email,
            context=context,
            idempotency_key=f"{template}:{network.pk}:{user_id}:{period}",
            network_id=network.pk,
            language=email_language(chosen=chosen, network=network),
        )
        for user_id, email, chosen in _coordinators(network, alerts=alerts)
    ]
    return len(email_queue_many(emails, on_duplicate="skip"))
