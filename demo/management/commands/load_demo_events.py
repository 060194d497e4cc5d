"""Load the demo events: FlorenceIN's calendar, and the VenetoIN evening it co-hosts.

Run after ``load_demo``, which creates the networks and the people. Idempotent: an event is
keyed by its title within its organising network, and one that exists is left alone with its
registrations, so a second run adds nothing. Upcoming events are dated from today, so a fresh
database always has something to register for; the launch evening is the one of the story.

Upcoming places go through the services (tickets, guests, waitlist, the counter under the
event's lock). The past launch is written directly: the services rightly refuse places at an
event that is over. The emails the services queue stay in the outbox marked cancelled, so the
development outbox shows them but nothing is delivered to the invented people.
"""

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scope

from demo.management.commands.load_demo import (
    COMPANY_FORMS,
    COMPANY_STEMS,
    FIRST_NAMES,
    LAST_NAMES,
)
from events.models import Event, Registration
from events.services.events import EventDetails, event_create, event_publish
from events.services.registrations import (
    registration_confirm_guest,
    registration_register,
    registration_register_guest,
)
from events.tickets import ticket_code_new
from members.models import Profile, User
from networks.models import Membership, Network
from outbox.selectors import outbox_last_id
from outbox.services import outbox_cancel_queued_since

COORDINATOR_FLORENCE = "coordinatore.firenze@clubin.example"
MEMBER_FLORENCE = "socio.firenze@clubin.example"
COORDINATOR_VENETO = "coordinatore.veneto@clubin.example"

APERITIVO = "Aperitivo di networking"
STARTUPS = "FlorenceIN incontra le startup"
LAUNCH = "Lancio di FlorenceIN"
BREAKFAST = "Colazione d'affari: i bandi regionali per le PMI"
EXCHANGE = "Scambio VenetoIN \N{EN DASH} FlorenceIN"
FIRST_MEETING = "Primo incontro di MarcheIN"

# (organiser, title) of every demo event, for the test and the summary.
DEMO_EVENTS = (
    ("florence", APERITIVO),
    ("florence", STARTUPS),
    ("florence", LAUNCH),
    ("florence", BREAKFAST),
    ("veneto", EXCHANGE),
    ("marche", FIRST_MEETING),
)
DEMO_MAIL_PREFIX = "event-"  # the templates of the emails the event services queue

# The monthly evenings of each network, past (with who came) and the next one: (title, venue,
# address, capacity). FlorenceIN's next one is the aperitivo above; MarcheIN has not met yet.
SERIES = {
    "milan": ("Business aperitivo di MilanIN", "Terrazza Martini",
              "Piazza Armando Diaz 7, 20123 Milano", 70),
    "florence": (APERITIVO, "Le Murate. Caffè Letterario",
                 "Piazza delle Murate, 50122 Firenze", 90),
    "veneto": ("Serata di VenetoIN", "Caffè Pedrocchi", "Via VIII Febbraio 15, 35122 Padova", 50),
    "cagliari": ("Aperitivo di CagliariIN", "Caffè Svizzero",
                 "Largo Carlo Felice 6, 09124 Cagliari", 35),
    "bologna": ("Incontro di BolognaIN", "Le Serre dei Giardini Margherita",
                "Via Castelfidardo 6, 40126 Bologna", 25),
}  # fmt: skip
FORMING_EVERY_DAYS = 42  # a network in formation meets every six weeks
MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
    "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time on the site's clock (Europe/Rome)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _third_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def _series_days(network: Network, launched: date, now: datetime) -> list[date]:
    """The evenings after the launch up to next month: monthly, or every six weeks while forming."""
    horizon = timezone.localdate(now) + timedelta(days=62)
    if network.status == Network.Status.FORMING:
        count = (horizon - launched).days // FORMING_EVERY_DAYS
        return [launched + timedelta(days=14 + n * FORMING_EVERY_DAYS) for n in range(count)]
    days, year, month = [], launched.year, launched.month
    while (day := _third_thursday(year, month)) <= horizon:
        if day > launched + timedelta(days=7):
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _in_days(days: int, hour: int, minute: int = 0) -> datetime:
    return _at(timezone.localdate() + timedelta(days=days), hour, minute)


def _data(
    *, title: str, description: str, venue: str, address: str, starts_at: datetime,
    hours: float, capacity: int | None, visibility: str, guests_allowed: bool = False,
    guests_per_member: int = 0,
) -> dict[str, Any]:  # fmt: skip
    return {
        "title": title,
        "description": description,
        "venue": venue,
        "address": address,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "capacity": capacity,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "visibility": visibility,
        "guests_allowed": guests_allowed,
        "guests_per_member": guests_per_member,
    }


class Command(BaseCommand):
    help = "Load the demo events (run after load_demo). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo loader adds fictional "
                "events and registrations; pass --force if you really mean it."
            )
        with transaction.atomic():
            loader = DemoEventsLoader()
            loader.load()
            summary = loader.summary()
        self.stdout.write(self.style.SUCCESS(summary))


class DemoEventsLoader:
    def __init__(self) -> None:
        networks = {n.slug: n for n in Network.objects.filter(slug__in=["florence", "veneto"])}
        emails = [COORDINATOR_FLORENCE, MEMBER_FLORENCE, COORDINATOR_VENETO]
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        if len(networks) < 2 or len(users) < len(emails):
            raise CommandError("The demo federation is missing: run `manage.py load_demo` first.")
        self.florence, self.veneto = networks["florence"], networks["veneto"]
        self.networks = {n.slug: n for n in Network.objects.filter(slug__in=[*SERIES, "marche"])}
        self.coordinator_florence = users[COORDINATOR_FLORENCE]
        self.member_florence = users[MEMBER_FLORENCE]
        self.coordinator_veneto = users[COORDINATOR_VENETO]
        self.rng = random.Random("clubin-demo-events")  # noqa: S311 (the same demo on every run)
        self.created: list[str] = []
        self.history: list[str] = []
        self.skipped: list[str] = []
        self._guest_serial = 0

    def load(self) -> None:
        mail_before = outbox_last_id()
        self._aperitivo()
        self._startups()
        self._launch()
        self._breakfast()
        self._exchange()
        self._history()
        self._first_meeting()
        # Recorded, never delivered: the tickets and waitlist news of invented people.
        outbox_cancel_queued_since(after_id=mail_before, template_prefix=DEMO_MAIL_PREFIX)

    # --- The events -----------------------------------------------------------------------

    def _aperitivo(self) -> None:
        network = self.florence
        if not self._is_new(network, APERITIVO):
            return
        with scope(network=network):
            event = self._create(
                network, by=self.coordinator_florence,
                data=_data(
                    title=APERITIVO,
                    description=(
                        "L'appuntamento mensile dei soci di FlorenceIN: un calice, presentazioni "
                        "a giro di un minuto ciascuno e tanto tempo per conoscersi. Ogni socio "
                        "può portare un ospite che vorrebbe conoscere la rete."
                    ),
                    venue="Le Murate. Caffè Letterario",
                    address="Piazza delle Murate, 50122 Firenze",
                    starts_at=_in_days(9, 19), hours=3, capacity=40,
                    visibility=Event.Visibility.NETWORK, guests_per_member=1,
                ),
            )  # fmt: skip
            people = [
                self.member_florence,
                *self._members(network, 15, exclude=[self.member_florence]),
            ]
            self._register(event, people, guest_every=4)

    def _startups(self) -> None:
        network = self.florence
        if not self._is_new(network, STARTUPS):
            return
        with scope(network=network):
            event = self._create(
                network, by=self.coordinator_florence,
                data=_data(
                    title=STARTUPS,
                    description=(
                        "Sei startup fiorentine presentano il loro progetto in cinque minuti; "
                        "poi domande, consigli e contatti con imprenditori e professionisti "
                        "della rete. Aperto a tutti: chi non è socio si registra con l'email."
                    ),
                    venue="Impact Hub Firenze",
                    address="Via Panciatichi 36, 50127 Firenze",
                    starts_at=_in_days(23, 18, 30), hours=2.5, capacity=80,
                    visibility=Event.Visibility.PUBLIC, guests_allowed=True, guests_per_member=1,
                ),
            )  # fmt: skip
            self._register(event, self._members(network, 10), guest_every=5)
            for n in range(5):
                name, email, company = self._guest()
                registration = registration_register_guest(
                    event=event, name=name, email=email, company=company
                )
                if registration is not None and n < 4:  # the last one has not clicked yet
                    registration_confirm_guest(event=event, registration_id=registration.pk)

    def _launch(self) -> None:
        """The evening of the story, written as it went: who came, who did not, who walked in."""
        network = self.florence
        if not self._is_new(network, LAUNCH):
            return
        day = network.launched_on or timezone.localdate() - timedelta(days=30)
        starts = _at(day, 19)
        coordinator = self.coordinator_florence
        with scope(network=network):
            event = self._create(
                network, by=coordinator,
                data=_data(
                    title=LAUNCH,
                    description=(
                        "La serata di lancio di FlorenceIN: dal gruppo LinkedIn a un incontro "
                        "dal vivo. Saluti dei fondatori, la storia di MilanIN e un lungo "
                        "aperitivo per conoscersi. Aperto a tutti, fino a esaurimento posti."
                    ),
                    venue="Grand Hotel Baglioni, Sala Brunelleschi",
                    address="Piazza dell'Unità Italiana 6, 50123 Firenze",
                    starts_at=starts, hours=4, capacity=120,
                    visibility=Event.Visibility.PUBLIC, guests_allowed=True,
                ),
            )  # fmt: skip
            Event.objects.filter(pk=event.pk).update(
                created_at=starts - timedelta(days=30), published_at=starts - timedelta(days=28)
            )
            members = [coordinator, self.member_florence]
            # Those there that evening became its first members (some have since lapsed).
            members += self._members(
                network, 88, exclude=members, joined_by=day + timedelta(days=150)
            )
            companies = self._companies(members)
            rows = []
            for n, user in enumerate(members):
                rows.append(self._past_row(
                    event, starts, name=user.get_full_name() or user.email, email=user.email,
                    company=companies.get(user.pk, ""), user=user,
                    cancelled=n >= len(members) - 4,  # four changed their plans
                    came=n < 2 or self.rng.random() < 0.8,
                ))  # fmt: skip
            for _ in range(34):
                name, email, company = self._guest()
                rows.append(self._past_row(
                    event, starts, name=name, email=email, company=company,
                    came=self.rng.random() < 0.8,
                ))  # fmt: skip
            Registration.objects.bulk_create(rows)
            confirmed = Registration.objects.filter(
                event=event, status=Registration.Status.CONFIRMED
            ).count()
            Event.objects.filter(pk=event.pk).update(confirmed_count=confirmed)
            # Walk-ins, written as the door wrote them that night: the check-in service
            # refuses them now that the evening is over (the door closes at its end).
            walk_ins = []
            for minutes in (35, 50, 80):
                name, email, company = self._guest()
                at = starts + timedelta(minutes=minutes)
                walk_ins.append(Registration(
                    event=event, name=name, email=email, company=company,
                    status=Registration.Status.WALK_IN, ticket_code=ticket_code_new(),
                    created_at=at, confirmed_at=at, checked_in_at=at, checked_in_by=coordinator,
                ))  # fmt: skip
            Registration.objects.bulk_create(walk_ins)

    def _breakfast(self) -> None:
        network = self.florence
        if not self._is_new(network, BREAKFAST):
            return
        with scope(network=network):
            self._create(
                network, by=self.coordinator_florence, publish=False,
                data=_data(
                    title=BREAKFAST,
                    description=(
                        "Un'ora prima del lavoro: una consulente di finanza agevolata spiega i "
                        "bandi regionali aperti per digitalizzazione ed export. Da confermare "
                        "relatrice e sala."
                    ),
                    venue="Caffè Gilli",
                    address="Via Roma 1r, 50123 Firenze",
                    starts_at=_in_days(41, 8), hours=1.5, capacity=30,
                    visibility=Event.Visibility.NETWORK,
                ),
            )  # fmt: skip

    def _exchange(self) -> None:
        """Five seats at one table, for the whole federation: full, with a waitlist."""
        network = self.veneto
        if not self._is_new(network, EXCHANGE):
            return
        venetians = self._members(network, 5)
        florentines = self._members(self.florence, 3, exclude=[self.member_florence])
        with scope(network=network):
            event = self._create(
                network, by=self.coordinator_veneto, cohosts=[self.florence],
                data=_data(
                    title=EXCHANGE,
                    description=(
                        "Una cena a un tavolo solo tra soci di VenetoIN e FlorenceIN: ognuno "
                        "racconta la propria impresa e che cosa cerca nell'altra regione. "
                        "Posti volutamente pochi; chi resta fuori entra in lista d'attesa."
                    ),
                    venue="Caffè Pedrocchi, Sala Rossini",
                    address="Via VIII Febbraio 15, 35122 Padova",
                    starts_at=_in_days(16, 20), hours=2.5, capacity=5,
                    visibility=Event.Visibility.FEDERATION,
                ),
            )  # fmt: skip
            v, f = venetians, florentines
            self._register(event, [v[0], f[0], v[1], f[1], v[2], v[3], f[2], v[4]])

    # --- The months before: an evening a month, with who came ---------------------------

    def _history(self) -> None:
        """Every network's evenings since its launch (every six weeks while forming), written
        as they went, and the next one for those without another upcoming event."""
        now = timezone.now()
        for slug, (title, venue, address, capacity) in SERIES.items():
            network = self.networks.get(slug)
            if network is None or network.launched_on is None:
                continue
            with scope(network=network):
                if Event.objects.filter(network=network, title__startswith=f"{title} · ").exists():
                    self.history.append(f"{network.name}: past evenings already there")
                    continue
                days = _series_days(network, network.launched_on, now)
                past = [d for d in days if _at(d, 22) < now - timedelta(hours=1)]
                upcoming = [] if slug in ("florence", "veneto") else days[len(past) : len(past) + 1]
                events = self._series_events(network, title, venue, address, capacity,
                                             past + upcoming)  # fmt: skip
                self._series_places(network, events, now)
                self.history.append(f"{network.name}: {len(past)} past evenings")

    def _series_events(
        self, network: Network, title: str, venue: str, address: str, capacity: int,
        days: list[date],
    ) -> list[Event]:  # fmt: skip
        now = timezone.now()
        rows = []
        for day in days:
            starts = _at(day, 19)
            published = min(starts - timedelta(days=30), now - timedelta(days=1))
            over = starts + timedelta(hours=3) < now
            rows.append(Event(
                network=network, title=f"{title} · {MONTHS[day.month - 1]} {day.year}",
                description=(
                    f"La serata mensile di {network.name}: presentazioni a giro di un minuto, "
                    "un ospite che racconta la sua impresa e tempo per conoscersi."
                ),
                venue=venue, address=address, starts_at=starts, ends_at=starts + timedelta(hours=3),
                capacity=capacity, visibility=Event.Visibility.NETWORK,
                status=Event.Status.PUBLISHED, created_at=published - timedelta(days=3),
                published_at=published, announced_at=published,
                reminders_sent_at=starts - timedelta(days=1) if over else None,
                followup_sent_at=min(starts + timedelta(hours=15), now) if over else None,
            ))  # fmt: skip
        events = Event.objects.bulk_create(rows)
        Event.hosts.through.objects.bulk_create(
            [Event.hosts.through(event_id=e.pk, network_id=network.pk) for e in events]
        )
        return events

    def _series_places(self, network: Network, events: list[Event], now: datetime) -> None:
        """Members who held a card that day; about four in five of those with a place came,
        a few cancelled, and someone always walks in."""
        cards = list(
            Membership.objects.filter(network=network)
            .select_related("user")
            .order_by("card_number", "pk")
        )
        coordinator = next((m.user for m in cards if m.role == Membership.Role.COORDINATOR), None)
        companies = self._companies([m.user for m in cards])
        rows: list[Registration] = []
        for event in events:
            day = timezone.localdate(event.starts_at)
            holders = [
                m.user for m in cards
                if m.joined_on <= day and (m.valid_until is None or m.valid_until >= day)
            ]  # fmt: skip
            share = self.rng.uniform(0.3, 0.5)
            wanted = min(max(int(len(holders) * share), min(len(holders), 5)), event.capacity or 0)
            people = self.rng.sample(holders, wanted)
            held = event.starts_at < now
            confirmed = 0
            for user in people:
                row = self._past_row(
                    event, event.starts_at, name=user.get_full_name() or user.email,
                    email=user.email, company=companies.get(user.pk, ""), user=user,
                    cancelled=self.rng.random() < 0.06, came=held and self.rng.random() < 0.8,
                    by=coordinator, now=now,
                )  # fmt: skip
                confirmed += row.status == Registration.Status.CONFIRMED
                rows.append(row)
            event.confirmed_count = confirmed
            if held:
                rows += self._walk_ins(event, self.rng.randint(0, 3), by=coordinator)
        Registration.objects.bulk_create(rows, batch_size=1000)
        Event.objects.bulk_update(events, ["confirmed_count"], batch_size=500)

    def _walk_ins(self, event: Event, count: int, *, by: User | None) -> list[Registration]:
        rows = []
        for _ in range(count):
            name, email, company = self._guest()
            at = event.starts_at + timedelta(minutes=self.rng.randint(20, 90))
            rows.append(Registration(
                event=event, name=name, email=email, company=company,
                status=Registration.Status.WALK_IN, ticket_code=ticket_code_new(),
                created_at=at, confirmed_at=at, checked_in_at=at, checked_in_by=by,
            ))  # fmt: skip
        return rows

    def _first_meeting(self) -> None:
        """MarcheIN, in formation, has not met yet: its first meeting is on the calendar."""
        network = self.networks.get("marche")
        if network is None or not self._is_new(network, FIRST_MEETING):
            return
        with scope(network=network):
            coordinator = (
                Membership.objects.filter(network=network, role=Membership.Role.COORDINATOR)
                .select_related("user")
                .first()
            )
            if coordinator is None:
                return
            event = self._create(
                network, by=coordinator.user,
                data=_data(
                    title=FIRST_MEETING,
                    description=(
                        "Il primo incontro della rete marchigiana: chi siamo, che cosa vogliamo "
                        "costruire e come far crescere la rete da Pesaro ad Ascoli."
                    ),
                    venue="Mole Vanvitelliana, Sala Boxe",
                    address="Banchina Giovanni da Chio 28, 60121 Ancona",
                    starts_at=_in_days(20, 18, 30), hours=2.5, capacity=40,
                    visibility=Event.Visibility.NETWORK,
                ),
            )  # fmt: skip
            self._register(event, self._members(network, 4))

    # --- Helpers --------------------------------------------------------------------------

    def _is_new(self, network: Network, title: str) -> bool:
        with scope(network=network):
            exists = Event.objects.filter(network=network, title=title).exists()
        (self.skipped if exists else self.created).append(title)
        return not exists

    def _create(
        self, network: Network, *, by: User, data: dict[str, Any],
        cohosts: Sequence[Network] = (), publish: bool = True,
    ) -> Event:  # fmt: skip
        details = EventDetails(**data)
        event = event_create(network=network, created_by=by, details=details, cohosts=cohosts)
        if publish:
            event_publish(event=event)
            event.refresh_from_db()
        return event

    def _members(
        self, network: Network, count: int, exclude: Sequence[User] = (),
        joined_by: date | None = None,
    ) -> list[User]:  # fmt: skip
        """A fixed sample of the network's active members (not its coordinators); with
        ``joined_by``, of those who had joined by then, whatever became of their card."""
        with scope(network=network):
            memberships = Membership.objects.filter(network=network, role=Membership.Role.MEMBER)
            if joined_by is None:
                memberships = memberships.filter(status=Membership.Status.ACTIVE)
            else:
                memberships = memberships.filter(joined_on__lte=joined_by)
            memberships = (
                memberships.exclude(user__in=[u.pk for u in exclude])
                .select_related("user")
                .order_by("card_number", "pk")
            )
            users = [m.user for m in memberships]
        return self.rng.sample(users, min(count, len(users)))

    @staticmethod
    def _companies(users: Sequence[User]) -> dict[int, str]:
        rows = Profile.objects.filter(user__in=[u.pk for u in users])
        return dict(rows.values_list("user_id", "company"))

    def _register(self, event: Event, users: Sequence[User], guest_every: int = 0) -> None:
        companies = self._companies(users)
        for n, user in enumerate(users):
            brings = guest_every and n % guest_every == guest_every - 1
            guests = [self._guest()[0]] if brings else []
            registration_register(
                event=event, user=user, company=companies.get(user.pk, ""), guest_names=guests
            )

    def _guest(self) -> tuple[str, str, str]:
        """Someone from outside the networks: name, a unique invented address, company."""
        self._guest_serial += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        stem, form = self.rng.choice(COMPANY_STEMS), self.rng.choice(COMPANY_FORMS)
        company = f"{form} {stem}" if form == "Studio" else f"{stem} {form}"
        return f"{first} {last}", f"{local}{self._guest_serial}@ospiti.example", company

    def _past_row(
        self, event: Event, starts: datetime, *, name: str, email: str, company: str,
        came: bool, user: User | None = None, cancelled: bool = False,
        by: User | None = None, now: datetime | None = None,
    ) -> Registration:  # fmt: skip
        registered = starts - timedelta(
            days=self.rng.randint(2, 25), minutes=self.rng.randint(0, 900)
        )
        if now is not None:  # an upcoming evening: booked in the last days, not in the future
            registered = min(registered, now - timedelta(hours=self.rng.randint(1, 200)))
        row = Registration(
            event=event, user=user, name=name, email=email, company=company,
            status=Registration.Status.CONFIRMED, ticket_code=ticket_code_new(),
            created_at=registered, confirmed_at=registered,
        )  # fmt: skip
        if cancelled:
            row.status = Registration.Status.CANCELLED
            row.cancelled_at = min(registered + timedelta(days=1), starts - timedelta(hours=2))
        elif came:
            row.checked_in_at = starts + timedelta(minutes=self.rng.randint(0, 75))
            row.checked_in_by = by or self.coordinator_florence
        return row

    # --- The summary ----------------------------------------------------------------------

    def summary(self) -> str:
        lines = [f"Demo events: {len(self.created)} created, {len(self.skipped)} already there."]
        now = timezone.now()
        S = Registration.Status
        for network in (self.florence, self.veneto):
            with scope(network=network):
                hosted = Event.objects.all()
                organised = hosted.filter(network=network)
                drafts = organised.filter(status=Event.Status.DRAFT).count()
                past = organised.filter(ends_at__lte=now).count()
                places = Registration.objects.filter(event__network=network).aggregate(
                    confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
                    waitlisted=Count("pk", filter=Q(status=S.WAITLISTED)),
                    walk_ins=Count("pk", filter=Q(status=S.WALK_IN)),
                )
                lines.append(
                    f"  /{network.slug}/events/  {network.name}: {organised.count()} organised "
                    f"({drafts} draft, {past} past), {hosted.count() - organised.count()} "
                    f"co-hosted; {places['confirmed']} confirmed, {places['waitlisted']} "
                    f"waitlisted, {places['walk_ins']} walk-ins"
                )
        lines += [f"  {line}" for line in self.history]
        lines.append(f"Tickets: sign in as {MEMBER_FLORENCE} and open /me/events/")
        return "\n".join(lines)
