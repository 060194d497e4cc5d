"""Periodic tasks of the events app: thin wrappers around one service each."""

from celery import shared_task

from events.services import events


@shared_task(name="events.tasks.event_reminders_send", ignore_result=True)
def event_reminders_send() -> int:
    return events.event_reminders_send_all()
