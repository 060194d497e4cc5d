"""Thin tasks over the outbox services. Arguments are ids only."""

from celery import shared_task

from outbox import services


# Names from the module's old path (clubin/mail), kept: beat and queued messages use them.
# Late acknowledgement is safe here because a send is idempotent: the claim lets one worker win.
# Hard limits well inside the broker's visibility timeout (3600 s): a batch stops taking new
# messages after OUTBOX_BATCH_SECONDS (120 s) anyway.
@shared_task(
    name="clubin.mail.tasks.outbox_send",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
def outbox_send(email_ids: list[int]) -> int:
    return services.outbox_deliver(email_ids=email_ids)


@shared_task(name="clubin.mail.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    return services.outbox_sweep()
