"""Pieces the invitation benchmark loads into its own worker only (``celery worker -I``).

``naive_send`` is the design the outbox is measured against: one Celery task and one SMTP
connection per email. It is never used by the application.
"""

from celery import shared_task
from django.core.mail import get_connection

from clubin.mail import services
from clubin.mail.models import OutboxEmail


@shared_task(name="clubin.mail.benchmarks.naive_send", ignore_result=True)
def naive_send(email_id: int) -> None:
    if not services.outbox_claim(email_id=email_id):
        return
    email = OutboxEmail.objects.get(pk=email_id)
    connection = get_connection(fail_silently=False)  # a new connection for every message
    try:
        services._deliver_one(connection, email)
    finally:
        connection.close()
