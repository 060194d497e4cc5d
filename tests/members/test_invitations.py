"""Invitations: sent one by one or from a file, tracked, refused, accepted once, reminded once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from clubin.stats.models import NetworkDay
from clubin.stats.services import stats_rebuild
from members.forms import invitations as invitation_forms
from members.models import Invitation, InvitationBatch, MembershipApplication
from members.selectors.invitations import network_invitation_counts
from members.services import invitations as invitation_services
from members.services.applications import application_decide
from members.services.invitations import (
    InvitationRefused,
    Invitee,
    invitation_reminders_send_all,
    invitation_send,
)
from members.views.invitations import reason
from networks.jobs import JobFailed
from outbox.models import EmailOptOut, OutboxEmail
from outbox.services import optout_add, optout_hash, outbox_deliver
from tests.conftest import PASSWORD, REQUEST_OVERHEAD, make_user
from tests.members import factories

MANAGE = "/florence/manage/invitations/"
UPLOAD = "/florence/manage/invitations/upload/"


def _invitations(**filters) -> list[Invitation]:
    with scopes_disabled():
        return list(Invitation.objects.filter(**filters).order_by("id"))


def _invite(personas, email="nuovo@example.com", **extra) -> Invitation:
    with scope(network=personas.florence):
        return invitation_send(
            network=personas.florence, inviter=extra.pop("inviter", personas.alice),
            invitee=Invitee(email, extra.pop("name", "Nuovo Socio"), "Ti aspettiamo!"),
            by_coordinator=extra.pop("by_coordinator", True),
        )  # fmt: skip


def _counts(personas) -> dict[str, int]:
    with scope(network=personas.florence):
        return network_invitation_counts(network=personas.florence)


def _text(message) -> str:
    """The plain-text part, decoded (a sink may re-encode parts with accents as base64)."""
    return message.get_payload()[0].get_payload(decode=True).decode()


def _link(message) -> str:
    text = message.get_payload()[0].get_payload(decode=True).decode()
    return re.search(r"https?://\S+(/invite/\S+/)", text).group(1)  # type: ignore[union-attr]


# --- Sending ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_it_works(client, personas, smtp_sink, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_SCRUB_SECRETS = True  # production behaviour: links do not outlive the send
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            MANAGE, {"email": "Giovanna@Example.com", "name": "Giovanna", "message": "Vieni!"}
        )
    assert response.status_code == 302
    [invitation] = _invitations()
    assert (invitation.email, invitation.inviter, invitation.by_coordinator) == (
        "giovanna@example.com",
        personas.alice,
        True,
    )
    [message] = smtp_sink.messages
    assert message["To"] == "giovanna@example.com"
    assert "FlorenceIN" in message["Subject"] and "Vieni!" in _text(message)
    assert (
        message["List-Unsubscribe"].strip().startswith("<http")
        and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    token = _link(message).split("/")[2]
    assert len(token) >= 43  # 256 bits, URL-safe
    # Only a hash is kept: the token is nowhere in the database once the email has left.
    row = OutboxEmail.objects.get()
    assert row.status == "sent" and row.context is None and token not in str(row.__dict__)
    assert token not in invitation.token_hash
    assert _counts(personas)["sent"] == 1


@pytest.mark.django_db
def test_it_checks_network(client, personas):
    invitation = _invite(personas)
    client.force_login(personas.charlie)
    assert client.get(MANAGE).status_code == 404
    url = reverse(
        "invitation_revoke", kwargs={"network_slug": "veneto", "invitation_id": invitation.pk}
    )
    assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.django_db
def test_it_checks_role(client, personas):
    client.force_login(personas.bob)
    assert client.get(MANAGE).status_code == 403
    assert client.post(MANAGE, {"email": "x@example.com"}).status_code == 403
    assert _invitations() == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "recent", "opted_out"])
def test_it_refuses_whom_it_should_not_invite(client, personas, who):
    email = {
        "member": "bob@example.com",
        "recent": "recente@example.com",
        "opted_out": "no@example.com",
    }[who]
    if who == "recent":
        _invite(personas, email)
    if who == "opted_out":
        EmailOptOut.objects.create(email_hash=optout_hash(email))
    before = OutboxEmail.objects.count()
    client.force_login(personas.alice)
    response = client.post(MANAGE, {"email": email.upper()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert OutboxEmail.objects.count() == before


@pytest.mark.django_db
def test_it_limits_coordinators_per_hour(client, personas, settings):
    settings.INVITATIONS_PER_COORDINATOR_PER_HOUR = 2
    client.force_login(personas.alice)
    for n in range(3):
        response = client.post(MANAGE, {"email": f"p{n}@example.com"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert len(_invitations()) == 2 and OutboxEmail.objects.count() == 2


@pytest.mark.django_db
def test_it_lets_members_invite_within_their_monthly_quota(client, personas):
    personas.florence.member_invite_quota = 2
    personas.florence.save()
    client.force_login(personas.bob)
    url = reverse("member_invite", kwargs={"network_slug": "florence"})
    for n in range(3):
        client.post(url, {"email": f"amico{n}@example.com", "name": f"Amico {n}"})
    invitations = _invitations()
    assert [i.email for i in invitations] == ["amico0@example.com", "amico1@example.com"]
    assert all(i.inviter == personas.bob and not i.by_coordinator for i in invitations)
    assert OutboxEmail.objects.count() == 2
    assert "Bob Bellini" in OutboxEmail.objects.first().context["inviter_name"]  # type: ignore[index,union-attr]
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        client.force_login(personas.bob)  # the old session has expired meanwhile
        client.post(url, {"email": "amico9@example.com"})
    assert len(_invitations()) == 3


@pytest.mark.django_db
def test_it_keeps_member_invitations_to_members(client, personas):
    client.force_login(personas.dave)
    assert (
        client.post(
            reverse("member_invite", kwargs={"network_slug": "florence"}),
            {"email": "x@example.com"},
        ).status_code
        == 404
    )


# --- From a file -----------------------------------------------------------------------------
def _upload(client, content: bytes, name: str = "soci.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


@pytest.mark.django_db
def test_it_previews_a_file_then_sends_on_confirmation(
    client, personas, django_capture_on_commit_callbacks
):
    _invite(personas, "recente@example.com")
    EmailOptOut.objects.create(email_hash=optout_hash("no@example.com"))
    csv_text = (
        "\ufeffemail;nome;messaggio\n"
        "anna@example.com;Anna Neri;Ciao Anna\n"
        "non-una-mail;Bruno;\n"
        "ANNA@example.com;Anna di nuovo;\n"
        "bob@example.com;Bob;\n"
        "recente@example.com;Recente;\n"
        "no@example.com;No;\n"
        'carla@example.com;"=HYPERLINK(""http://x"")";\n'
    )
    client.force_login(personas.alice)
    response = _upload(client, csv_text.encode())
    assert response.status_code == 302
    batch_url = response["Location"]
    page = client.get(batch_url)
    problems = {email: why for _line, email, why in page.context["problems"]}
    assert set(problems) == {
        "non-una-mail",
        "anna@example.com",
        "bob@example.com",
        "recente@example.com",
        "",  # the address that opted out is not written down again; its row number is
    }
    with scopes_disabled():
        assert "no@example.com" not in str(InvitationBatch.objects.get().problems)
    assert len(_invitations()) == 1  # nothing sent before confirmation
    batch = page.context["batch"]
    confirm = reverse(
        "invitation_batch_confirm", kwargs={"network_slug": "florence", "batch_id": batch.pk}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(confirm)
        client.post(confirm)  # a double click sends nothing twice
    sent = _invitations(batch=batch)
    assert [i.email for i in sent] == ["anna@example.com", "carla@example.com"]
    assert sent[1].name.startswith("HYPERLINK")  # the formula sign is gone
    # One dispatch for the batch (up to 200 per task); the others refresh the figures.
    dispatches = [c for c in callbacks if getattr(c, "func", c).__name__ == "outbox_dispatch"]
    assert len(dispatches) == 1
    counts = client.get(batch_url).context["counts"]
    assert counts["queued"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        ("email\n" + "".join(f"p{n}@example.com\n" for n in range(10_001))).encode(),
        b"name;other\nfoo;bar\n",
    ],
    ids=["empty", "binary", "10001-rows", "no-emails"],
)
def test_it_reports_a_bad_file_and_sends_nothing(client, personas, content):
    client.force_login(personas.alice)
    response = _upload(client, content)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    if response["Location"].endswith(MANAGE):  # refused by the upload form itself
        assert [str(m) for m in page.context["messages"]]
    else:
        assert page.context["file_error"] or page.context["problems"]
        assert not page.context["batch"].rows
    assert _invitations() == []


@pytest.mark.django_db
def test_it_accepts_ten_thousand_rows(client, personas):
    content = (
        "email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(10_000))
    ).encode()
    client.force_login(personas.alice)
    page = client.get(_upload(client, content)["Location"])
    assert len(page.context["batch"].rows) == 10_000 and not page.context["problems"]


@pytest.mark.django_db
def test_it_refuses_files_over_5_mb(client, personas):
    client.force_login(personas.alice)
    response = _upload(client, b"a@example.com\n" * 400_000)
    assert response.status_code == 302 and response["Location"].endswith(MANAGE)
    with scopes_disabled():
        assert InvitationBatch.objects.count() == 0


# --- The invitee -----------------------------------------------------------------------------
@pytest.fixture
def sent(personas, smtp_sink, django_capture_on_commit_callbacks):
    """A member's invitation to Giovanna, delivered; returns (invitation, accept path)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(
            personas,
            "giovanna@example.com",
            inviter=personas.bob,
            by_coordinator=False,
            name="Giovanna Lippi",
        )
    return invitation, _link(smtp_sink.messages[-1])


@pytest.mark.django_db
def test_it_leads_the_invitee_to_a_prefilled_application(client, personas, sent):
    invitation, link = sent
    landing = client.get(link)
    assert landing.status_code == 200 and "Bob Bellini" in landing.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert client.post(link)["Location"].startswith(reverse("account_login"))

    giovanna = make_user("giovanna@example.com")
    client.force_login(giovanna)
    response = client.post(link)
    apply_url = response["Location"]
    assert apply_url == f"/florence/apply/?invitation={invitation.pk}"
    form = client.get(apply_url).context["form"]
    assert form.initial["first_name"] == "Giovanna" and form.initial["last_name"] == "Lippi"
    client.post(apply_url, {
        "first_name": "Giovanna", "last_name": "Lippi", "company": "Lippi", "job_title": "CEO",
        "sector": "design", "city": "Prato", "motivation": "Mi ha invitata Bob", "privacy": "on",
    })  # fmt: skip
    with scopes_disabled():
        application = MembershipApplication.objects.get(user=giovanna)
        invitation.refresh_from_db()
    assert application.sponsor == personas.bob  # the inviter, recorded as sponsor
    assert invitation.application == application
    assert client.post(link).status_code == 302  # a used link says so, it does not fail
    with scope(network=personas.florence):
        application_decide(
            network=personas.florence,
            application_id=application.pk,
            action="approved",
            decided_by=personas.alice,
        )
    client.force_login(personas.bob)
    me = client.get(reverse("members:me"))
    [mine] = me.context["sent_invitations"]
    assert mine.state == "member"


@pytest.mark.django_db
def test_it_refuses_another_address(client, personas, sent):
    invitation, link = sent
    client.force_login(personas.dave)
    client.post(link)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_it_refuses_expired_and_unknown_tokens(client, personas, sent):
    invitation, link = sent
    assert client.get("/invite/not-a-real-token/").status_code == 404
    giovanna = make_user("giovanna@example.com")
    client.force_login(giovanna)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert (
            "already used" in client.get(link).content.decode()
            or client.get(link).context["usable"] is False
        )
        client.post(link)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_it_answers_404_for_an_invitation_of_another_network(client, personas, sent):
    invitation, link = sent
    giovanna = make_user("giovanna@example.com")
    client.force_login(giovanna)
    client.post(link)
    assert client.get(f"/veneto/apply/?invitation={invitation.pk}").status_code == 404
    assert client.get(f"/florence/apply/?invitation={invitation.pk}").status_code == 200
    client.force_login(personas.dave)  # someone else's accepted invitation: 404 as well
    assert client.get(f"/florence/apply/?invitation={invitation.pk}").status_code == 404


@pytest.mark.django_db
def test_it_stops_invitations_after_a_one_click_opt_out(
    personas, smtp_sink, django_capture_on_commit_callbacks
):
    queued = _invite(personas, "basta@example.com")  # queued, not yet sent
    with django_capture_on_commit_callbacks(execute=True):
        other = _invite(personas, "altro@example.com")
    unsubscribe = smtp_sink.messages[-1]["List-Unsubscribe"].strip().strip("<>")
    del other
    # The opt-out link of "basta" comes from its own email: build it as the worker would.
    from outbox.services import optout_url

    path = (
        optout_url(email="basta@example.com")
        .split("testserver")[-1]
        .replace("http://127.0.0.1:8000", "")
    )
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(path).status_code == 200
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # RFC 8058
    assert EmailOptOut.objects.filter(email_hash=optout_hash("basta@example.com")).exists()
    assert not EmailOptOut.objects.filter(email_hash=optout_hash("altro@example.com")).exists()
    assert "unsubscribe" in unsubscribe
    outbox_deliver(email_ids=[queued.email_message_id or 0])
    assert smtp_sink.to("basta@example.com") == []  # honoured at send time
    assert OutboxEmail.objects.get(pk=queued.email_message_id or 0).status == "cancelled"
    assert _counts(personas)["opted_out"] == 1
    assert _rows_holding("basta@example.com") == []
    with pytest.raises(InvitationRefused):
        _invite(personas, "basta@example.com")
    with scope(network=personas.veneto), pytest.raises(InvitationRefused):
        invitation_send(
            network=personas.veneto,
            inviter=personas.charlie,
            invitee=Invitee("BASTA@example.com"),
            by_coordinator=True,
        )


@pytest.mark.django_db
def test_it_refuses_a_forged_opt_out_link(client):
    assert client.post("/unsubscribe/forged-token/").status_code == 404
    assert not EmailOptOut.objects.exists()


@pytest.mark.django_db
def test_it_reminds_once_after_the_networks_delay(
    personas, sent, smtp_sink, django_capture_on_commit_callbacks
):
    _invitation, first_link = sent
    personas.florence.invitation_reminder_days = 5
    personas.florence.save()
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert invitation_reminders_send_all() == 0
    with (
        time_machine.travel(timezone.now() + timedelta(days=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert invitation_reminders_send_all() == 1
        assert invitation_reminders_send_all() == 0
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        assert invitation_reminders_send_all() == 0  # never more than one
    reminder = smtp_sink.to("giovanna@example.com")[-1]
    assert "FlorenceIN" in reminder["Subject"]
    second_link = _link(reminder)
    assert second_link != first_link
    client = Client()
    assert client.get(second_link).context["usable"] and client.get(first_link).context["usable"]


@pytest.mark.django_db
def test_it_sends_no_reminder_to_who_opened_the_link(client, personas, sent):
    _invitation, link = sent
    client.get(link)
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert invitation_reminders_send_all() == 0


@pytest.mark.django_db
def test_it_revokes_a_pending_invitation(client, personas):
    invitation = _invite(personas)
    client.force_login(personas.alice)
    url = reverse(
        "invitation_revoke", kwargs={"network_slug": "florence", "invitation_id": invitation.pk}
    )
    assert client.get(url).status_code == 405
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert OutboxEmail.objects.get(pk=invitation.email_message_id or 0).status == "cancelled"


@pytest.mark.django_db
def test_it_shows_a_550_and_resends_a_failed_invitation(
    client, personas, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.script("550 5.1.1 no such user")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(personas, "sbagliato@example.com")
    client.force_login(personas.alice)
    page = client.get(MANAGE + "?state=failed")
    assert [i.pk for i in page.context["invitations"]] == [invitation.pk]
    assert "550" in page.content.decode()
    url = reverse(
        "invitation_resend", kwargs={"network_slug": "florence", "invitation_id": invitation.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(smtp_sink.to("sbagliato@example.com")) == 1
    assert _counts(personas)["sent"] == 1


@pytest.mark.django_db
def test_it_retries_a_421(personas, smtp_sink, django_capture_on_commit_callbacks):
    smtp_sink.script("421 4.3.2 try later")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(personas, "dopo@example.com")
    row = OutboxEmail.objects.get(pk=invitation.email_message_id or 0)
    assert row.status == "retrying"
    with time_machine.travel(row.next_attempt_at):
        outbox_deliver(email_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == "sent" and len(smtp_sink.to("dopo@example.com")) == 1


@pytest.mark.django_db
def test_it_keeps_the_outbox_settings_inside_the_visibility_timeout(settings):
    from clubin.celery import app
    from outbox.tasks import outbox_send

    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.OUTBOX_BATCH_SECONDS * 2
    assert outbox_send.time_limit and outbox_send.time_limit < timeout
    assert app.conf.worker_prefetch_multiplier == 1
    assert outbox_send.acks_late and outbox_send.reject_on_worker_lost


@pytest.mark.django_db
def test_it_brings_the_invitee_back_after_logging_in(client, personas, sent):
    _invitation, link = sent
    make_user("giovanna@example.com")
    client.get(link)
    response = client.post(
        reverse("account_login"), {"login": "giovanna@example.com", "password": PASSWORD}
    )
    assert response["Location"] == link


@pytest.mark.django_db
def test_it_confirms_a_batch_while_the_broker_is_down(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from outbox.tasks import outbox_send

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox_send, "apply_async", broker_down)
    client.force_login(personas.alice)
    response = _upload(client, b"a@example.com,A\nb@example.com,B\n")
    batch_url = response["Location"]
    batch = client.get(batch_url).context["batch"]
    confirm = reverse(
        "invitation_batch_confirm", kwargs={"network_slug": "florence", "batch_id": batch.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(confirm).status_code == 302
    assert OutboxEmail.objects.filter(status="queued").count() == 2  # the sweep sends them later


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 60])
def test_it_keeps_the_invitation_pages_flat(client, personas, size, django_assert_max_num_queries):
    from members.services.invitations import _create

    with scope(network=personas.florence):
        invitations = _create(
            network=personas.florence, inviter=personas.alice, by_coordinator=True,
            invitees=[Invitee(f"p{n}@example.com", f"P {n}") for n in range(size)],
            batch=InvitationBatch.objects.create(network=personas.florence, status="confirmed"),
        )  # fmt: skip
    batch_url = reverse(
        "invitation_batch",
        kwargs={"network_slug": "florence", "batch_id": invitations[0].batch_id},
    )
    client.force_login(personas.alice)
    # the list, its counts by state, the recent files
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 3):
        assert client.get(MANAGE).status_code == 200
    # the batch, its counts by state
    with django_assert_max_num_queries(REQUEST_OVERHEAD + 2):
        assert client.get(batch_url).status_code == 200


# --- One rule for each button: the page offers what the service accepts ----------------------
STATES = (
    "queued", "sent", "failed", "opened", "applied", "member", "expired", "revoked", "opted_out",
    "failed_and_expired",
)  # fmt: skip


def _in_every_state(personas) -> dict[str, Invitation]:
    """One invitation in each situation the list can show, built as the app would leave it."""
    made = {name: _invite(personas, f"{name.replace('_', '-')}@example.com") for name in STATES}
    now = timezone.now()
    outbox = {
        "sent": "sent", "opened": "sent", "applied": "sent", "member": "sent", "expired": "sent",
        "revoked": "sent", "opted_out": "sent", "failed": "failed", "failed_and_expired": "failed",
    }  # fmt: skip
    for name, status in outbox.items():
        OutboxEmail.objects.filter(pk=made[name].email_message_id or 0).update(status=status)
    changes: dict[str, dict] = {
        "opened": {"opened_at": now},
        "expired": {"expires_at": now - timedelta(days=1)},
        "failed_and_expired": {"expires_at": now - timedelta(days=1)},
        "revoked": {"revoked_at": now},
    }
    for name in ("applied", "member"):
        person = make_user(f"{name}@example.com")
        applied = factories.application(personas.florence, person)
        if name == "member":
            with scope(network=personas.florence):
                application_decide(
                    network=personas.florence, application_id=applied.pk, action="approved",
                    decided_by=personas.alice,
                )  # fmt: skip
        changes[name] = {"opened_at": now, "accepted_at": now, "accepted_by": person,
                         "application": applied}  # fmt: skip
    with scopes_disabled():
        for name, fields in changes.items():
            Invitation.objects.filter(pk=made[name].pk).update(**fields)
    optout_add(email_hash=optout_hash("opted-out@example.com"))
    with scopes_disabled():
        return {name: Invitation.objects.get(pk=inv.pk) for name, inv in made.items()}


def _accepts(service, invitation: Invitation) -> bool:
    """What the service answers, undone afterwards so every button is tried on the same rows."""
    with scope(network=invitation.network), transaction.atomic():
        accepted = service(invitation=invitation)
        transaction.set_rollback(True)
    return accepted


@pytest.mark.django_db
def test_it_shows_revoke_and_resend_exactly_when_the_service_accepts(client, personas):
    from members.services.invitations import invitation_resend, invitation_revoke

    made = _in_every_state(personas)
    client.force_login(personas.alice)
    page = client.get(MANAGE)
    states = {i.pk: i.state for i in page.context["invitations"]}
    assert {name: states[inv.pk] for name, inv in made.items()} == {
        **{name: name for name in STATES}, "failed_and_expired": "expired",
    }  # fmt: skip
    html = page.content.decode()
    offered, accepted = {}, {}
    for name, invitation in made.items():
        urls = {
            action: reverse(
                f"invitation_{action}",
                kwargs={"network_slug": "florence", "invitation_id": invitation.pk},
            )
            for action in ("revoke", "resend")
        }
        offered[name] = {action for action, url in urls.items() if f'action="{url}"' in html}
        accepted[name] = {
            action
            for action, service in (("revoke", invitation_revoke), ("resend", invitation_resend))
            if _accepts(service, invitation)
        }
    assert offered == accepted
    # And the rule itself: revoke while the link works, resend only a failed one still valid.
    assert {name for name, actions in accepted.items() if "revoke" in actions} == {
        "queued", "sent", "failed", "opened",
    }  # fmt: skip
    assert {name for name, actions in accepted.items() if "resend" in actions} == {"failed"}


# --- Opting out: what was delivered still counts, the address is kept only as a hash ---------
def _rows_holding(*texts: str) -> list[str]:
    """Every row of every table whose text holds one of these strings (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                found += [f"{table}: {t}" for t in texts if t.lower() in text]
    return found


@pytest.mark.django_db
def test_it_forgets_an_opted_out_address_and_keeps_the_counts(
    client, personas, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivered = _invite(personas, "Giulia.Verdi@example.com", name="Giulia Verdi")
    with scope(network=personas.veneto):  # another network, its email not sent yet
        elsewhere = invitation_send(
            network=personas.veneto, inviter=personas.charlie,
            invitee=Invitee("giulia.verdi@example.com", "Giulia V.", "Ciao Giulia"),
            by_coordinator=True,
        )  # fmt: skip
    client.force_login(personas.alice)  # a later upload names her again (refused: invited)
    _upload(client, b"giulia.verdi@example.com,Giulia Verdi\nanna@example.com,Anna\n")
    client.logout()
    assert _rows_holding("giulia.verdi@example.com")  # the check below can see her
    assert _counts(personas)["sent"] == 1

    unsubscribe = smtp_sink.to("giulia.verdi@example.com")[0]["List-Unsubscribe"]
    path = unsubscribe.strip().strip("<>").split("127.0.0.1:8000")[-1].split("testserver")[-1]
    assert Client().post(path).status_code == 200

    assert _rows_holding("giulia.verdi@example.com", "Giulia Verdi", "Ciao Giulia") == []
    counts = _counts(personas)
    assert (counts["sent"], counts["opted_out"]) == (0, 1)
    with scope(network=personas.veneto):
        assert network_invitation_counts(network=personas.veneto)["opted_out"] == 1
    # Delivered stays delivered: the statistics still count the one that left, not the other.
    delivered_row = OutboxEmail.objects.get(pk=delivered.email_message_id or 0)
    assert (delivered_row.status, delivered_row.to) == ("sent", "")
    assert OutboxEmail.objects.get(pk=elsewhere.email_message_id or 0).status == "cancelled"
    stats_rebuild()
    with scopes_disabled():
        sent_by_network = dict(
            NetworkDay.objects.values_list("network__slug").annotate(n=Sum("invitations_sent"))
        )
    assert sent_by_network.get("florence") == 1 and not sent_by_network.get("veneto")
    # The page shows the opt-out, and offers no Revoke for it.
    client.force_login(personas.alice)
    page = client.get(MANAGE)
    [row] = [i for i in page.context["invitations"] if i.pk == delivered.pk]
    assert row.state == "opted_out" and not row.can_revoke
    revoke = reverse(
        "invitation_revoke", kwargs={"network_slug": "florence", "invitation_id": delivered.pk}
    )
    assert revoke not in page.content.decode()
    # Her hash still keeps her from being invited again, by anyone.
    with pytest.raises(InvitationRefused):
        _invite(personas, "giulia.verdi@example.com")


@pytest.mark.django_db
def test_it_forgets_the_address_when_the_worker_drops_a_message_queued_before_the_opt_out(
    personas, smtp_sink
):
    queued = _invite(personas, "tardi@example.com", name="Tardi")
    # The opt-out landed between the queueing and the send (no app was told yet).
    EmailOptOut.objects.create(email_hash=optout_hash("tardi@example.com"))
    outbox_deliver(email_ids=[queued.email_message_id or 0])
    assert smtp_sink.to("tardi@example.com") == []
    assert _rows_holding("tardi@example.com", "Tardi") == []
    assert _counts(personas)["opted_out"] == 1


@pytest.mark.django_db
def test_it_reminds_other_networks_when_one_fails(personas, monkeypatch):
    reminded = []

    def broken_in_florence(*, network, now=None):
        if network.slug == "florence":
            raise RuntimeError("outbox unavailable")
        reminded.append(network.slug)
        return 1

    monkeypatch.setattr(invitation_services, "invitation_reminders_send", broken_in_florence)
    with pytest.raises(JobFailed, match="florence"):
        invitation_reminders_send_all()
    assert reminded == ["veneto"]


def test_it_writes_the_limits_the_rules_set(monkeypatch):
    monkeypatch.setattr(invitation_forms, "MAX_ROWS", 2500)
    monkeypatch.setattr(invitation_forms, "RECENT", timedelta(days=45))
    with translation.override("en"):
        form = invitation_forms.InvitationUploadForm()
        assert "Up to 2,500 rows" in form.fields["file"].help_text
        assert reason("too_many_rows").startswith("The file has more than 2,500 rows")
        assert reason("recently_invited") == "invited in the last 45 days"
        assert reason("too_big") == "The file is larger than 5 MB."
