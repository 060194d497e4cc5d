"""From aspiring member to card-holding member: applying, deciding, withdrawing, endorsing.

A decision happens once. Approvals lock the network row first (card numbers and the membership
cap are per network), then lock the applications still open; anything no longer open by then was
decided by someone else and is reported back as such, never as an error.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from members.models import DecisionLogEntry, Endorsement, MembershipApplication, Profile, User
from members.services.profiles import ApplicantProfile, profile_update
from networks.languages import email_language
from networks.models import Membership, Network
from networks.services import network_lock
from outbox.services import Email, email_queue_many, site_url

logger = logging.getLogger(__name__)

Status = MembershipApplication.Status
Action = DecisionLogEntry.Action
OPEN = list(MembershipApplication.OPEN)


class AlreadyDecided(Exception):
    """The application was decided or withdrawn by someone else first."""


# A decision that gives no card (reject, put on hold, approve into the waiting list) and an
# applicant's withdrawal can be taken back this long; their emails wait until it has passed.
UNDO_WINDOW = DecisionLogEntry.UNDO_WINDOW
# Held back a little longer than the window, so an undo at its last second still finds them.
UNDO_EMAIL_DELAY = UNDO_WINDOW + timedelta(seconds=5)


def previous_state(application: MembershipApplication) -> dict[str, Any]:
    """The fields a decision changes, as they were: what an undo puts back (JSON)."""
    return {
        "status": application.status,
        "waitlisted_at": application.waitlisted_at.isoformat()
        if application.waitlisted_at
        else None,
        "decided_at": application.decided_at.isoformat() if application.decided_at else None,
        "decided_by_id": application.decided_by_id,
        "decision_note": application.decision_note,
    }


def decision_email_key(*, application_id: int, template: str, decision_key: str) -> str:
    # The decision's key in the email's: after an undo, the same decision again is a new email.
    return f"application-decided:{application_id}:{template}:{decision_key}"


class IntakeClosed(Exception):
    """The network is not accepting applications."""


def membership_year_end(day: date) -> date:
    """Cards are valid to the end of the membership year, which is the calendar year.

    Someone admitted in December joins for the next year too, rather than for a few days.
    """
    return date(day.year + (1 if day.month == 12 else 0), 12, 31)


# --- Applying --------------------------------------------------------------------------------
def application_submit(
    *,
    network: Network,
    user: User,
    motivation: str,
    answers: dict[str, Any],
    profile: ApplicantProfile,
    sponsor: User | None = None,
    current_profile: Profile | None = None,
) -> tuple[MembershipApplication, bool]:
    """File an application; a second submit gives back the open one (``created`` False).

    The database's one-open-application constraint decides races between two submits.
    """
    if not network.intake_open:
        raise IntakeClosed
    try:
        with transaction.atomic():
            application = MembershipApplication.objects.create(
                network=network,
                user=user,
                motivation=motivation,
                answers=answers,
                sponsor=sponsor,
                privacy_version=settings.PRIVACY_NOTICE_VERSION,
                privacy_acknowledged_at=timezone.now(),
            )
            profile_update(user=user, current=current_profile, **profile)
            _notify_submitted(application)
    except IntegrityError:
        existing = open_application_for(network=network, user=user)
        if existing is None:
            raise
        return existing, False
    return application, True


def open_application_for(*, network: Network, user: User) -> MembershipApplication | None:
    return MembershipApplication.objects.filter(network=network, user=user, status__in=OPEN).first()


def _notify_submitted(application: MembershipApplication) -> None:
    network = application.network
    user = application.user
    context = {
        "network_name": network.name,
        "person_name": user.get_short_name(),
        "applicant_name": user.get_full_name() or user.email,
        "me_url": site_url("members:me"),
        "queue_url": site_url("manage_applications", network_slug=network.slug),
    }
    emails = [
        Email(
            template="application-received",
            to=user.email,
            context=context,
            idempotency_key=f"application-received:{application.pk}",
            network_id=network.pk,
            language=email_language(chosen=user.language, network=network),
        ),
    ]
    coordinators = Membership.objects.filter(
        network=network,
        role=Membership.Role.COORDINATOR,
        status=Membership.Status.ACTIVE,
        application_alerts=Membership.Alerts.IMMEDIATE,
    ).values_list("user_id", "user__email", "user__language")
    emails += [
        Email(
            template="application-new",
            to=email,
            context=context,
            idempotency_key=f"application-new:{application.pk}:{user_id}",
            network_id=network.pk,
            language=email_language(chosen=language, network=network),
        )
        for user_id, email, language in coordinators
    ]
    email_queue_many(emails, on_duplicate="error")


def application_withdraw(*, application: MembershipApplication, user: User) -> str:
    """The applicant takes back an open application; loses to a decision made first.

    Returns the decision key their "Undo" names (``application_decision_undo``).
    """
    with transaction.atomic():
        locked = (
            MembershipApplication.objects.select_for_update()
            .filter(pk=application.pk, user=user, status__in=OPEN)
            .first()
        )
        if locked is None:
            raise AlreadyDecided
        MembershipApplication.objects.filter(pk=locked.pk).update(
            status=Status.WITHDRAWN, decided_at=timezone.now(), decided_by=user
        )
        key = uuid.uuid4().hex
        DecisionLogEntry.objects.create(
            network_id=application.network_id, actor=user, action=Action.WITHDRAWN,
            application=application, decision_key=key, previous=previous_state(locked),
        )  # fmt: skip
    return key


def endorsement_add(
    *, application: MembershipApplication, endorser: User, note: str = ""
) -> Endorsement:
    """A member vouches for a pending applicant; a second click changes nothing."""
    if application.user_id == endorser.pk:
        raise ValueError("Applicants cannot endorse themselves")
    endorsement, _created = Endorsement.objects.get_or_create(
        network_id=application.network_id,
        application=application,
        endorser=endorser,
        defaults={"note": note[:300]},
    )
    return endorsement


# --- Deciding --------------------------------------------------------------------------------
@dataclass
class Decision:
    # Admitted: a card now.
    approved: list[MembershipApplication] = field(default_factory=list)
    # Put on hold by a coordinator, who decides later; nothing admits them by itself.
    waitlisted: list[MembershipApplication] = field(default_factory=list)
    # Approved while the network is full: a freed place admits them, oldest approval first.
    approved_waiting: list[MembershipApplication] = field(default_factory=list)
    rejected: list[MembershipApplication] = field(default_factory=list)
    already_decided: list[int] = field(default_factory=list)
    # Asked for what they already have (approved again while waiting, waitlisted again).
    still_waiting: list[MembershipApplication] = field(default_factory=list)
    # What "Undo" names, when the decision may be taken back (``undoable``).
    key: str = ""
    undoable: bool = False

    @property
    def decided(self) -> list[MembershipApplication]:
        return self.approved + self.waitlisted + self.approved_waiting + self.rejected


def application_decide(
    *, network: Network, application_id: int, action: str, decided_by: User | None, note: str = ""
) -> Decision:
    decision = applications_decide(
        network=network,
        application_ids=[application_id],
        action=action,
        decided_by=decided_by,
        note=note,
    )
    if decision.already_decided:
        raise AlreadyDecided
    return decision


def applications_decide(
    *,
    network: Network,
    application_ids: list[int],
    action: str,
    decided_by: User | None,
    note: str = "",
) -> Decision:
    """Approve, waitlist or reject a batch with one note, in a fixed number of queries.

    ``decided_by`` is None when the system decides: a freed place admitting an applicant a
    coordinator approved earlier. The system never approves anyone else.
    """
    if action not in (Action.APPROVED, Action.WAITLISTED, Action.REJECTED):
        raise ValueError(f"Unknown decision {action!r}")
    now = timezone.now()
    with transaction.atomic():
        if action == Action.APPROVED:
            network_lock(network=network)
        applications = list(
            MembershipApplication.objects.select_for_update(of=("self",))
            .filter(network=network, id__in=application_ids, status__in=OPEN)
            .select_related("user")
            .order_by("submitted_at", "id")
        )
        decision = Decision()
        found = {a.pk for a in applications}
        decision.already_decided = [i for i in application_ids if i not in found]
        if not applications:
            return decision
        previous = {a.pk: previous_state(a) for a in applications}
        cards: dict[int, Membership] = {}
        if action == Action.APPROVED:
            cards = _admit(network, applications, decision, now)
        elif action == Action.WAITLISTED:
            decision.waitlisted = [a for a in applications if a.can_waitlist]
            decision.still_waiting = [a for a in applications if not a.can_waitlist]
        else:
            decision.rejected = applications
        decision.key = uuid.uuid4().hex
        # A card given is not taken back (card numbers never skip), nor is the system's doing.
        decision.undoable = decided_by is not None and not decision.approved
        _record(network, decision, decided_by, note, now, previous)
        _notify_decided(network, decision, cards, note)
    return decision


def _queue_order(applications: list[MembershipApplication]) -> list[MembershipApplication]:
    """Those already approved and waiting for a place first, by when they started waiting."""

    def key(application: MembershipApplication) -> tuple:
        if application.status == Status.APPROVED_WAITING:
            return (0, application.waitlisted_at or application.submitted_at, application.pk)
        return (1, application.submitted_at, application.pk)

    return sorted(applications, key=key)


def _free_places(network: Network, active: int, applications: list[MembershipApplication]) -> int:
    """Places this batch may take: under a cap, those already waiting elsewhere come first."""
    if network.membership_cap is None:
        return len(applications)
    ahead = (
        MembershipApplication.objects.filter(network=network, status=Status.APPROVED_WAITING)
        .exclude(pk__in=[a.pk for a in applications])
        .count()
    )
    return max(network.membership_cap - active - ahead, 0)


def _admit(
    network: Network, applications: list[MembershipApplication], decision: Decision, now: datetime
) -> dict[int, Membership]:
    """Give the next card numbers to as many applicants as the cap allows; the rest wait."""
    stats = Membership.objects.filter(network=network).aggregate(
        top=Max("card_number"), active=Count("id", filter=Q(status=Membership.Status.ACTIVE))
    )
    existing = {
        m.user_id: m
        for m in Membership.objects.filter(
            network=network, user_id__in=[a.user_id for a in applications]
        )
    }
    room = _free_places(network, stats["active"], applications)
    valid_until = membership_year_end(timezone.localdate(now))
    next_card = (stats["top"] or 0) + 1
    new, returning = [], []
    for application in _queue_order(applications):
        membership = existing.get(application.user_id)
        if membership is not None and membership.status == Membership.Status.ACTIVE:
            decision.approved.append(application)  # already in: nothing to create
            continue
        if room <= 0:
            if application.status == Status.APPROVED_WAITING:
                decision.still_waiting.append(application)
            else:
                decision.approved_waiting.append(application)
            continue
        room -= 1
        decision.approved.append(application)
        if membership is None:
            new.append(
                Membership(
                    network=network, user_id=application.user_id, card_number=next_card,
                    joined_on=timezone.localdate(now), valid_until=valid_until,
                )
            )  # fmt: skip
            next_card += 1
        else:
            membership.status, membership.valid_until = Membership.Status.ACTIVE, valid_until
            returning.append(membership)
    if new:
        Membership.objects.bulk_create(new)
    if returning:
        Membership.objects.bulk_update(returning, ["status", "valid_until"])
    return {m.user_id: m for m in [*new, *returning, *existing.values()]}


def _record(
    network: Network,
    decision: Decision,
    decided_by: User | None,
    note: str,
    now: datetime,
    previous: dict[int, dict[str, Any]],
) -> None:
    approved = [a.pk for a in decision.approved]
    waiting = [a.pk for a in decision.waitlisted + decision.approved_waiting]
    changes: dict[str, Any] = {
        "status": Case(
            When(pk__in=approved, then=Value(Status.APPROVED)),
            When(pk__in=[a.pk for a in decision.waitlisted], then=Value(Status.WAITLISTED)),
            When(
                pk__in=[a.pk for a in decision.approved_waiting],
                then=Value(Status.APPROVED_WAITING),
            ),
            default=Value(Status.REJECTED),
        ),
        # Only a real decision closes the application; waiting is not a decision yet.
        "decided_at": Case(When(pk__in=waiting, then=Value(None)), default=Value(now)),
        "waitlisted_at": Case(When(pk__in=waiting, then=Value(now)), default=Value(None)),
    }
    if decided_by is not None:
        # A freed place admitting someone keeps who approved them, and their note.
        changes |= {"decided_by": decided_by, "decision_note": note}
    MembershipApplication.objects.filter(pk__in=[a.pk for a in decision.decided]).update(**changes)
    actions = [
        *((a, Action.APPROVED) for a in decision.approved),
        *((a, Action.WAITLISTED) for a in decision.waitlisted),
        *((a, Action.APPROVED_WAITING) for a in decision.approved_waiting),
        *((a, Action.REJECTED) for a in decision.rejected),
    ]
    DecisionLogEntry.objects.bulk_create(
        DecisionLogEntry(
            network=network, actor=decided_by, action=action, application=application,
            note=note, created_at=now, decision_key=decision.key,
            previous=previous[application.pk] if decision.undoable else None,
        )
        for application, action in actions
    )  # fmt: skip


def _notify_decided(
    network: Network, decision: Decision, cards: dict[int, Membership], note: str
) -> None:
    emails = []
    outcomes = (
        ("application-approved", decision.approved),
        ("application-waitlisted", decision.waitlisted),
        ("application-approved-waiting", decision.approved_waiting),
        ("application-rejected", decision.rejected),
    )
    for template, applications in outcomes:
        for application in applications:
            membership = cards.get(application.user_id)
            if membership is not None:
                membership.network = network
            context = {
                "network_name": network.name,
                "person_name": application.user.get_short_name(),
                "card_label": membership.card_label if membership else "",
                "valid_until": membership.valid_until if membership else None,
                "note": note,
                "me_url": site_url("members:me"),
            }
            key = decision_email_key(
                application_id=application.pk, template=template, decision_key=decision.key
            )
            language = email_language(chosen=application.user.language, network=network)
            emails.append(
                Email(
                    template=template,
                    to=application.user.email,
                    context=context,
                    idempotency_key=key,
                    network_id=network.pk,
                    language=language,
                    # Told once the decision can no longer be undone.
                    delay=UNDO_EMAIL_DELAY if decision.undoable else None,
                )
            )
    email_queue_many(emails, on_duplicate="error")
    logger.info(
        "Network %s: %d approved, %d waitlisted, %d waiting for a place, %d rejected",
        network.slug,
        len(decision.approved),
        len(decision.waitlisted),
        len(decision.approved_waiting),
        len(decision.rejected),
    )


def places_fill(*, network: Network) -> Decision:
    """Give free places to those approved while the network was full, oldest approval first.

    Called when places free up (a lapse) or the cap rises or goes. It admits nobody else: an
    application a coordinator put on hold waits for a coordinator, whatever the cap.
    """
    with transaction.atomic():
        network_lock(network=network)
        waiting = list(
            MembershipApplication.objects.filter(network=network, status=Status.APPROVED_WAITING)
            .order_by("waitlisted_at", "id")
            .values_list("id", flat=True)
        )
        if not waiting:
            return Decision()
        # The whole queue at once, so nobody in it counts as "ahead" of the rest.
        return applications_decide(
            network=network, application_ids=waiting, action=Action.APPROVED, decided_by=None
        )
