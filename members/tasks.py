"""Thin periodic tasks of the members app: each loads nothing and calls one service."""

from celery import shared_task
from django.utils import timezone

from members.services import digests, invitations, renewals


@shared_task(name="members.tasks.applications_digest_send", ignore_result=True)
def applications_digest_send() -> int:
    return digests.applications_digest_send()


@shared_task(name="members.tasks.applications_reminder_send", ignore_result=True)
def applications_reminder_send() -> int:
    return digests.applications_reminder_send()


@shared_task(name="members.tasks.renewal_reminders_send", ignore_result=True)
def renewal_reminders_send() -> int:
    return renewals.renewal_reminders_send(today=timezone.localdate())


@shared_task(name="members.tasks.memberships_lapse", ignore_result=True)
def memberships_lapse() -> int:
    return renewals.memberships_lapse(today=timezone.localdate())


@shared_task(name="members.tasks.invitation_reminders_send", ignore_result=True)
def invitation_reminders_send() -> int:
    return invitations.invitation_reminders_send_all()
