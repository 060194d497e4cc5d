"""Two kinds of waiting for applications, and invitations that forget an opted-out address.

Applications. Until now "waitlisted" meant two things: put on hold by a coordinator, or
approved while the network was full. Existing "waitlisted" rows become "approved, waiting for a
place" only where the decision log proves the approval: their "waitlisted" entry was written by
the same approval that admitted others (same network, same coordinator, same instant: a bulk
approval that filled the last places). Every other one stays on hold, for a coordinator to
decide: when in doubt, nobody is admitted without a coordinator's approval.

Invitations. Each gets the opt-out hash of its address. Those whose address already opted out
lose the address, the name and the message, and so do their outbox rows; the hash, the
statuses and the dates stay for the counts.
"""

import hashlib

from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.utils import timezone

# As outbox.services.optout_hash, frozen here: a migration must not change with the code.
OPTOUT_SALT = "clubin.mail.optout"
FORGOTTEN = {"to": "", "body_text": "", "body_html": "", "context": None, "attachments": []}


def _hash(email):
    return hashlib.sha256(f"{OPTOUT_SALT}:{email.strip().lower()}".encode()).hexdigest()


def classify_waiting(apps, schema_editor):
    application = apps.get_model("members", "MembershipApplication")
    log = apps.get_model("members", "DecisionLogEntry")
    same_approval = log.objects.filter(
        action="approved",
        network_id=OuterRef("network_id"),
        actor_id=OuterRef("actor_id"),
        created_at=OuterRef("created_at"),
    )
    proven = log.objects.filter(
        Exists(same_approval), action="waitlisted", application__status="waitlisted"
    )
    ids = list(proven.values_list("application_id", flat=True))
    application.objects.filter(pk__in=ids, status="waitlisted").update(status="approved_waiting")
    log.objects.filter(pk__in=list(proven.values_list("pk", flat=True))).update(
        action="approved_waiting"
    )


def unclassify_waiting(apps, schema_editor):
    application = apps.get_model("members", "MembershipApplication")
    log = apps.get_model("members", "DecisionLogEntry")
    application.objects.filter(status="approved_waiting").update(status="waitlisted")
    log.objects.filter(action="approved_waiting").update(action="waitlisted")


def hash_and_forget(apps, schema_editor):
    invitation = apps.get_model("members", "Invitation")
    optout = apps.get_model("mail", "EmailOptOut")
    outbox = apps.get_model("mail", "OutboxEmail")
    batch = apps.get_model("members", "InvitationBatch")
    opted = dict(optout.objects.values_list("email_hash", "created_at"))
    chunk, forgotten_ids, forgotten_emails = [], [], set()
    for row in invitation.objects.only("id", "email").iterator(chunk_size=2000):
        row.email_hash = _hash(row.email)
        chunk.append(row)
        if len(chunk) == 2000:
            invitation.objects.bulk_update(chunk, ["email_hash"])
            chunk = []
    invitation.objects.bulk_update(chunk, ["email_hash"])
    gone = invitation.objects.filter(email_hash__in=list(opted))
    for row in gone.only("id", "email", "email_hash", "email_message_id", "reminder_message_id"):
        forgotten_emails.add(row.email)
        forgotten_ids += [i for i in (row.email_message_id, row.reminder_message_id) if i]
        invitation.objects.filter(pk=row.pk).update(
            email="", name="", message="", opted_out_at=opted[row.email_hash] or timezone.now()
        )
    outbox.objects.filter(id__in=forgotten_ids, status__in=["queued", "retrying"]).update(
        status="cancelled", last_error="opted out"
    )
    outbox.objects.filter(id__in=forgotten_ids).update(**FORGOTTEN)
    for report in batch.objects.all().iterator(chunk_size=50):
        rows = [r for r in report.rows if r[0] not in forgotten_emails]
        problems = [
            [line, "" if email in forgotten_emails else email, why]
            for line, email, why in report.problems
        ]
        if rows != report.rows or problems != report.problems:
            batch.objects.filter(pk=report.pk).update(rows=rows, problems=problems)


class Migration(migrations.Migration):

    dependencies = [
        ('mail', '0003_outboxemail_attachments'),
        ('members', '0006_user_language'),
        ('networks', '0002_invitation_settings'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='membershipapplication',
            name='application_one_open_per_network',
        ),
        migrations.RemoveIndex(
            model_name='membershipapplication',
            name='application_open_queue_idx',
        ),
        migrations.AddField(
            model_name='invitation',
            name='email_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='invitation',
            name='opted_out_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='decisionlogentry',
            name='action',
            field=models.CharField(choices=[('approved', 'approved'), ('waitlisted', 'waitlisted (on hold)'), ('approved_waiting', 'approved, waiting for a place'), ('rejected', 'rejected'), ('withdrawn', 'withdrawn'), ('renewed', 'renewal paid'), ('lapsed', 'lapsed'), ('exported', 'members exported')], max_length=20),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='email',
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name='membershipapplication',
            name='status',
            field=models.CharField(choices=[('pending', 'pending'), ('waitlisted', 'waitlisted (on hold)'), ('approved_waiting', 'approved, waiting for a place'), ('approved', 'approved'), ('rejected', 'rejected'), ('withdrawn', 'withdrawn')], default='pending', max_length=20),
        ),
        migrations.AddIndex(
            model_name='membershipapplication',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'waitlisted', 'approved_waiting'])), fields=['network', 'submitted_at', 'id'], name='application_open_queue_idx'),
        ),
        migrations.AddConstraint(
            model_name='membershipapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'waitlisted', 'approved_waiting'])), fields=('network', 'user'), name='application_one_open_per_network'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['email_hash'], name='invitation_email_hash_idx'),
        ),
        # Data last: PostgreSQL refuses ALTER TABLE on a table with pending trigger events (so no
        # db_index above either: Django would create that index after these, at the very end).
        migrations.RunPython(classify_waiting, unclassify_waiting),
        migrations.RunPython(hash_and_forget, migrations.RunPython.noop),
    ]
