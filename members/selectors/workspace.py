"""What the coordinator's home shows from this app: applications waiting, renewals due."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from members.models import MembershipApplication
from networks.models import Membership, Network

Status = MembershipApplication.Status
# An application waiting longer than this is late: the home says how many are.
LATE_AFTER_DAYS = 14


@dataclass(frozen=True, kw_only=True)
class ApplicationsWaiting:
    pending: int
    late: int  # pending for more than LATE_AFTER_DAYS
    late_after_days: int = LATE_AFTER_DAYS


@dataclass(frozen=True, kw_only=True)
class RenewalsDue:
    expiring: int  # valid today, running out within the notice days
    in_grace: int  # past their date, not lapsed yet
    notice_days: int = Membership.RENEWAL_NOTICE_DAYS


def applications_waiting(*, network: Network) -> ApplicationsWaiting:
    """Pending applications and how many of them are late, in one aggregate."""
    cutoff = timezone.now() - timedelta(days=LATE_AFTER_DAYS)
    counts = MembershipApplication.objects.filter(network=network, status=Status.PENDING).aggregate(
        pending=Count("id"), late=Count("id", filter=Q(submitted_at__lt=cutoff))
    )
    return ApplicationsWaiting(pending=counts["pending"], late=counts["late"])


def renewals_due(*, network: Network) -> RenewalsDue:
    """Active cards running out within the notice days, and those in grace, in one aggregate."""
    today = timezone.localdate()
    counts = Membership.objects.filter(
        Membership.renewal_due_q(today), network=network, status=Membership.Status.ACTIVE
    ).aggregate(
        expiring=Count("id", filter=Q(valid_until__gte=today)),
        in_grace=Count("id", filter=Q(valid_until__lt=today)),
    )
    return RenewalsDue(expiring=counts["expiring"], in_grace=counts["in_grace"])
