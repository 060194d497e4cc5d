"""Pieces the invitation benchmark loads into its own worker only (``celery worker -I``).

``naive_send`` is the design the outbox is measured against: one Celery task and one SMTP
connection per email. It is never used by the application.
"""

from celery import shared_task

from outbox import services


# The name it had in clubin/mail/benchmarks.py: task names never follow a move.
@shared_task(name="clubin.mail.benchmarks.naive_send", ignore_result=True)
def naive_send(email_id: int) -> None:
    # A batch of one: its own claim, its own SMTP connection, opened and closed for this message.
    services.outbox_deliver(email_ids=[email_id])
