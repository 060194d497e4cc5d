"""Load the demo federation: ClubIN's six networks, their fictional members and the demo logins.

Idempotent: people are keyed by email, networks by slug, memberships by (network, person), so a
second run adds nothing. Everyone here is invented; the email domains are reserved for examples.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import (
    ApplicationQuestion,
    DecisionLogEntry,
    Endorsement,
    MembershipApplication,
    Profile,
    Sector,
    User,
)
from members.services.applications import membership_year_end
from networks.models import Membership, Network

DEMO_PASSWORD = "clubin-demo"  # noqa: S105 (printed for everyone: demo data only)


HISTORY_DAYS = 730  # the demo tells the last 24 months, up to the day it is loaded


@dataclass(frozen=True)
class DemoNetwork:
    slug: str
    name: str
    region: str
    city: str
    launched_days_ago: int  # relative to the day of loading, so the story stays true every day
    status: str
    members: int  # card-holders today (valid cards), the demo logins among them
    description: str
    applicants: int = 0  # aspiring members today: open applications
    card_prefix: str = ""
    founders: int = 0  # joined at the launch evening
    lapsed: int = 0  # joined, never renewed, card expired at a year's end
    rejected: int = 0  # applications turned down over the months
    # How far back today's queue goes: FlorenceIN's, the story's, over all its months (the
    # "waiting" alert is true there); the others keep up and decide within two weeks.
    queue_days: int = 12

    def launched_on(self, today: date) -> date:
        """That many days ago, moved back to a Thursday: the networks meet on Thursdays."""
        day = today - timedelta(days=self.launched_days_ago)
        return day - timedelta(days=(day.weekday() - 3) % 7)


NETWORKS = [
    DemoNetwork("milan", "MilanIN", "Lombardia", "Milano", 723, "active", 95,
                "Dove tutto è cominciato: il gruppo LinkedIn di Milano che ha trasformato i "
                "contatti online in serate di business networking.", 30, "MI",
                founders=30, lapsed=12, rejected=25),
    DemoNetwork("florence", "FlorenceIN", "Toscana", "Firenze", 709, "active", 140,
                "Lanciato con più di cento persone in un albergo fiorentino: in due anni "
                "140 soci tesserati e oltre 700 aspiranti soci.", 700, "FI",
                founders=60, lapsed=18, rejected=90, queue_days=0),
    DemoNetwork("veneto", "VenetoIN", "Veneto", "Padova", 600, "active", 64,
                "Imprenditori e professionisti del Nord-Est tra Padova, Venezia, Verona "
                "e Treviso.", 20, "VE", founders=20, lapsed=8, rejected=15),
    DemoNetwork("cagliari", "CagliariIN", "Sardegna", "Cagliari", 480, "active", 38,
                "La rete sarda di ClubIN: turismo, agroalimentare e innovazione.", 12, "CA",
                founders=12, lapsed=4, rejected=8),
    DemoNetwork("bologna", "BolognaIN", "Emilia-Romagna", "Bologna", 150, "forming",
                9, "In formazione: i primi incontri a Bologna per la rete emiliana.", 12, "BO",
                founders=5, rejected=2),
    DemoNetwork("marche", "MarcheIN", "Marche", "Ancona", 75, "forming", 7,
                "In formazione: una rete per le imprese marchigiane, da Pesaro ad Ascoli. "
                "Il primo incontro è in calendario.", 8, "MA", founders=4, rejected=1),
]  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    description: str
    coordinates: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()
    staff: bool = False


LOGINS = [
    DemoLogin("staff@clubin.example", "Francesca", "Moretti", "federation staff", staff=True),
    DemoLogin("coordinatore.firenze@clubin.example", "Lorenzo", "Bartolini",
              "coordinator of FlorenceIN", coordinates=("florence",)),
    DemoLogin("socio.firenze@clubin.example", "Chiara", "Innocenti",
              "member of FlorenceIN", member_of=("florence",)),
    DemoLogin("coordinatore.veneto@clubin.example", "Marco", "Zanetti",
              "coordinator of VenetoIN", coordinates=("veneto",)),
    DemoLogin("coordinatrice.emilia.marche@clubin.example", "Elena", "Ricci",
              "coordinator of BolognaIN and MarcheIN", coordinates=("bologna", "marche")),
    DemoLogin("ospite@clubin.example", "Paolo", "Neri", "no membership"),
    DemoLogin("aspirante@clubin.example", "Sofia", "Galli",
              "aspiring member: application pending at FlorenceIN", applies_to=("florence",)),
]  # fmt: skip

# Other coordinators, so every active network has one.
EXTRA_COORDINATORS = {"milan": ("Alessandro", "Colombo"), "cagliari": ("Giovanna", "Melis")}

# fmt: off
FIRST_NAMES = (
    "Andrea", "Francesco", "Luca", "Matteo", "Giuseppe", "Stefano", "Roberto", "Davide",
    "Simone", "Federico", "Riccardo", "Giovanni", "Antonio", "Paolo", "Massimo", "Fabio",
    "Alberto", "Nicola", "Emanuele", "Tommaso", "Giulia", "Sara", "Martina", "Valentina",
    "Elisa", "Silvia", "Laura", "Anna", "Chiara", "Federica", "Francesca", "Alessia",
    "Ilaria", "Serena", "Beatrice", "Marta", "Elena", "Roberta", "Paola", "Cristina",
)
LAST_NAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
    "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli",
    "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi",
    "Villa", "Conte", "Ferraro", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina",
    "Rizzi", "Monti", "Cattaneo",
)
COMPANY_STEMS = (
    "Arno", "Medici", "Brunelleschi", "Giotto", "Dante", "Laguna", "Dolomiti", "Berica",
    "Nuraghe", "Poetto", "Garisenda", "Conero", "Navigli", "Brera", "Sforza", "Ponte",
    "Vecchio", "Chianti", "Etrusca", "Adriatica", "Tirrena", "Appennino", "Sole", "Quercia",
    "Olivo", "Faro", "Torre", "Porta", "Fiume", "Colle",
)
# fmt: on
COMPANY_FORMS = ("S.r.l.", "S.p.A.", "S.n.c.", "Studio", "& Partners", "Consulting", "Lab")
JOB_TITLES = (
    "Titolare", "Amministratore delegato", "Socio fondatore", "Direttore commerciale",
    "Responsabile marketing", "Consulente", "Avvocato", "Commercialista", "Architetto",
    "Project manager", "Direttrice generale", "Responsabile vendite",
)  # fmt: skip


QUESTIONS = [
    {
        "label": "Quante persone lavorano nella tua azienda?",
        "kind": "choice",
        "choices": "1-9\n10-49\n50-249\n250 o più",
        "required": True,
    },
    {"label": "Come hai conosciuto la rete?", "kind": "short_text", "required": False},
    {"label": "Parteciperai agli incontri mensili?", "kind": "yes_no", "required": True},
]
MOTIVATIONS = (
    "Cerco partner per crescere fuori regione e voglio conoscere chi fa impresa qui.",
    "Ho conosciuto alcuni soci a un evento: vorrei contribuire con la mia esperienza.",
    "Vorrei trasformare i contatti di LinkedIn in collaborazioni vere.",
    "Offro consulenza alle PMI e cerco professionisti con cui fare squadra.",
    "Sono appena rientrato in Italia e voglio ricostruire la mia rete locale.",
)
ENDORSEMENT_NOTES = ("", "Lavoriamo insieme da anni.", "Persona seria e generosa.", "Ex collega.")
OFFERS = (
    "Consulenza per l'internazionalizzazione",
    "Siti web e e-commerce per PMI",
    "Spazi per eventi",
    "Formazione per team commerciali",
    "Bandi e finanza agevolata",
    "Fotografia per aziende",
    "Traduzioni tecniche",
    "Consulenza fiscale per startup",
)


def rng_offer(person: "Person") -> str:
    return OFFERS[sum(map(ord, person.email)) % len(OFFERS)]


def _answers(questions: list[ApplicationQuestion], rng: random.Random) -> dict:
    values = {
        "choice": lambda q: rng.choice(q.choice_list),
        "yes_no": lambda q: rng.choice(["yes", "no"]),
        "short_text": lambda q: rng.choice(["LinkedIn", "Un socio", "Un evento", ""]),
    }
    return {
        str(q.pk): {"label": q.label, "value": values.get(q.kind, values["short_text"])(q)}
        for q in questions
    }


def _waitlisted(rng: random.Random, submitted: datetime, now: datetime) -> dict:
    if rng.random() < 0.03:
        on_hold = submitted + min(timedelta(days=7), (now - submitted) / 2)
        return {"status": MembershipApplication.Status.WAITLISTED, "waitlisted_at": on_hold}
    return {}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time on the site's clock (Europe/Rome)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _renewed_until(joined: date, today: date, serial: int) -> date:
    """A card kept valid: renewed every year up to this one; in December, when the renewals
    fall due, every other member has already paid for the next year."""
    until = max(membership_year_end(joined), _year_end(today.year))
    if today.month == 12 and until == _year_end(today.year) and serial % 2 == 0:
        until = _year_end(today.year + 1)
    return until


@dataclass
class _Slot:
    """One card in a network's history: when it began, until when it is valid, its renewals."""

    joined_on: date
    valid_until: date
    status: str = Membership.Status.ACTIVE
    renewals: list[tuple[date, date, datetime]] = field(default_factory=list)


class _History:
    """A network's last months, computed from the day of loading: the same story every day."""

    def __init__(self, spec: "DemoNetwork", today: date, now: datetime, coordinator: Any) -> None:
        self.spec, self.today, self.now, self.coordinator = spec, today, now, coordinator
        self.launched = spec.launched_on(today)
        self.span = max((today - self.launched).days, 2)
        self.rng = random.Random(f"clubin-demo-{spec.slug}-history")

    def member_slots(self, active: int) -> list[_Slot]:
        """The founders at the launch, then a growth that is fast at first and slows down."""
        total = max(active, 0) + self.spec.lapsed
        founders = min(self.spec.founders, total)
        later = total - founders
        days = [0] * founders + [
            1 + int((self.span - 2) * (k / later) ** 1.3) for k in range(1, later + 1)
        ]
        slots = [
            _Slot(joined, _renewed_until(joined, self.today, n))
            for n, joined in enumerate(self.launched + timedelta(days=d) for d in days)
        ]
        lapsed = self._lapse(slots)
        # Fewer could lapse than planned (a young network): as many fewer cards, so the
        # card-holders today are the number of the story.
        extra = self.spec.lapsed - lapsed
        keep = [s for s in slots if s.status == Membership.Status.LAPSED or extra <= 0]
        if extra > 0:
            active_slots = [s for s in slots if s.status != Membership.Status.LAPSED]
            keep = sorted(
                keep + active_slots[: len(active_slots) - extra], key=lambda s: s.joined_on
            )
        for slot in keep:
            self._renewals(slot)
        return keep

    def _lapse(self, slots: list[_Slot]) -> int:
        """Some of those whose card ran out at a past year's end did not renew."""
        last_end = _year_end(self.today.year - 1)
        eligible = [s for s in slots if membership_year_end(s.joined_on) <= last_end]
        count = min(self.spec.lapsed, len(eligible))
        grace = timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
        for k in range(count):
            slot = eligible[k * len(eligible) // count]
            first_end = membership_year_end(slot.joined_on)
            slot.valid_until = first_end if k % 2 else last_end
            # In the grace period the card is still active (the nightly job lapses it later).
            if slot.valid_until + grace < self.today:
                slot.status = Membership.Status.LAPSED
        return count

    def _renewals(self, slot: _Slot) -> None:
        end = membership_year_end(slot.joined_on)
        while end < slot.valid_until:
            new = _year_end(end.year + 1)
            paid = _at(end - timedelta(days=self.rng.randint(3, 40)), self.rng.randint(9, 19))
            paid = max(min(paid, self.now - timedelta(hours=1)), _at(slot.joined_on, 21))
            slot.renewals.append((end, new, paid))
            end = new

    def approval(self, joined_on: date, rng: random.Random) -> dict[str, datetime]:
        decided = _at(joined_on, rng.randint(9, 18), rng.randint(0, 59))
        if joined_on == self.launched:
            decided = _at(joined_on, 22, rng.randint(0, 59))  # at the end of the evening
        wait = rng.choice((1, 2, 3, 5, 7, 9, 12, 15, 20, 28, 40))
        if joined_on == self.launched:
            wait = rng.randint(0, 5)
        return {"decided_at": decided, "submitted_at": decided - timedelta(days=wait, hours=3)}

    def rejection(self, rng: random.Random) -> dict[str, datetime]:
        submitted = _at(self.launched, 12) + timedelta(
            days=(self.span - 6) * rng.random() ** 0.8, minutes=rng.randint(0, 600)
        )
        decided = submitted + timedelta(days=rng.randint(2, 30), hours=rng.randint(1, 8))
        return {
            "submitted_at": submitted,
            "decided_at": min(decided, self.now - timedelta(hours=2)),
        }

    def waiting(self, rng: random.Random) -> datetime:
        """Still in the queue: spread over the months (more of it recent), or the last days."""
        oldest = self.now - _at(self.launched, 12)
        if self.spec.queue_days:
            oldest = min(oldest, timedelta(days=self.spec.queue_days))
        age = oldest * (1 - rng.random() ** 0.6)
        return self.now - max(age, timedelta(hours=2))


@dataclass
class Person:
    email: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    sector: str
    city: str


def _fictional_people(network: DemoNetwork, count: int, kind: str = "soci") -> list[Person]:
    rng = random.Random(f"clubin-demo-{network.slug}-{kind}")  # same people on every run
    people = []
    for n in range(1, count + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        stem = rng.choice(COMPANY_STEMS)
        form = rng.choice(COMPANY_FORMS)
        company = f"{form} {stem}" if form in ("Studio",) else f"{stem} {form}"
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        people.append(
            Person(
                email=f"{local}.{network.slug}{n}@{kind}.example",
                first_name=first,
                last_name=last,
                company=company,
                job_title=rng.choice(JOB_TITLES),
                sector=rng.choice(Sector.values),
                city=network.city,
            )
        )
    return people


class Command(BaseCommand):
    help = "Load the demo federation (six networks, fictional members, demo logins). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo loader adds fictional "
                "people with a published password; pass --force if you really mean it."
            )
        with scopes_disabled(), transaction.atomic():
            loader = DemoLoader()
            loader.load()
            summary = loader.summary()
        self.stdout.write(self.style.SUCCESS(summary))


class DemoLoader:
    def __init__(self) -> None:
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by demo people
        self.networks: dict[str, Network] = {}
        self.today = timezone.localdate()
        self.now = timezone.now()

    def load(self) -> None:
        for spec in NETWORKS:
            self.networks[spec.slug] = self._network(spec)
            self._questions(self.networks[spec.slug])
        self._logins()
        for spec in NETWORKS:
            if not self._has_history(spec):
                history = _History(spec, self.today, self.now, self._coordinator(spec.slug))
                self._fill_members(spec, history)
                self._fill_applications(spec, history)

    def _network(self, spec: DemoNetwork) -> Network:
        network, _ = Network.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "region": spec.region,
                "city": spec.city,
                "launched_on": spec.launched_on(self.today),
                "status": spec.status,
                "description": spec.description,
                "card_prefix": spec.card_prefix,
            },
        )
        return network

    def _has_history(self, spec: DemoNetwork) -> bool:
        network = self.networks[spec.slug]
        return Membership.objects.filter(
            network=network, user__email__endswith="@soci.example"
        ).exists()

    def _coordinator(self, slug: str) -> User | None:
        membership = (
            Membership.objects.filter(network=self.networks[slug], role=Membership.Role.COORDINATOR)
            .select_related("user")
            .order_by("card_number")
            .first()
        )
        return membership.user if membership else None

    def _users(self, people: list[Person], *, staff: bool = False) -> dict[str, User]:
        emails = [p.email for p in people]
        User.objects.bulk_create(
            [
                User(
                    email=p.email,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    password=self.password_hash,
                    is_staff=staff,
                    is_superuser=staff,
                )
                for p in people
            ],
            ignore_conflicts=True,
        )
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=users[e], email=e, verified=True, primary=True) for e in emails],
            ignore_conflicts=True,
        )
        profiles = [
            Profile(
                user=users[p.email],
                company=p.company,
                job_title=p.job_title,
                sector=p.sector,
                city=p.city,
                offers=rng_offer(p),
            )
            for p in people
        ]
        for profile in profiles:
            profile.search_text = profile.build_search_text()
        Profile.objects.bulk_create(profiles, ignore_conflicts=True)
        return users

    def _logins(self) -> None:
        for login in LOGINS:
            person = Person(login.email, login.first_name, login.last_name,
                            "ClubIN", "Volontario", Sector.CONSULTING, "Firenze")  # fmt: skip
            user = self._users([person], staff=login.staff)[login.email]
            for slug in login.coordinates:
                self._join(slug, [user], role=Membership.Role.COORDINATOR)
            for slug in login.member_of:
                self._join(slug, [user], role=Membership.Role.MEMBER)
            for slug in login.applies_to:
                self._apply(slug, [user], random.Random(login.email))
        for slug, (first, last) in EXTRA_COORDINATORS.items():
            email = f"{first}.{last}.coordinatore@clubin.example".lower()
            person = Person(email, first, last, "ClubIN", "Volontario", Sector.CONSULTING, "")
            self._join(slug, list(self._users([person]).values()), Membership.Role.COORDINATOR)

    def _join(self, slug: str, users: list[User], role: str) -> None:
        """The demo logins: there since the launch evening, their cards renewed every year."""
        network = self.networks[slug]
        launched = network.launched_on or self.today
        taken = set(Membership.objects.filter(network=network).values_list("user_id", flat=True))
        newcomers = [u for u in users if u.pk not in taken]
        start = self._next_card(network)
        Membership.objects.bulk_create(
            [
                Membership(
                    network=network, user=user, role=role, card_number=start + i,
                    joined_on=launched, valid_until=_renewed_until(launched, self.today, 0),
                )
                for i, user in enumerate(newcomers)
            ]
        )  # fmt: skip

    @staticmethod
    def _next_card(network: Network) -> int:
        highest = max(
            Membership.objects.filter(network=network).values_list("card_number", flat=True),
            default=None,
            key=lambda n: n or 0,
        )
        return (highest or 0) + 1

    def _fill_members(self, spec: DemoNetwork, history: "_History") -> None:
        """Everyone who ever held a card, in the order they joined: the founders at the launch
        evening, then the approved applicants month by month; some never renewed."""
        network = self.networks[spec.slug]
        have = Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
        slots = history.member_slots(spec.members - have.count())
        people = _fictional_people(spec, len(slots))
        users = self._users(people)
        start = self._next_card(network)
        rows = [
            Membership(
                network=network, user=users[person.email], role=Membership.Role.MEMBER,
                card_number=start + n, joined_on=slot.joined_on, valid_until=slot.valid_until,
                status=slot.status,
            )
            for n, (person, slot) in enumerate(zip(people, slots, strict=True))
        ]  # fmt: skip
        created = Membership.objects.bulk_create(rows)
        self._membership_log(network, history, slots, created)
        # The approved applications that made them members (the founders' too).
        rng = random.Random(f"clubin-demo-{spec.slug}-approved")
        questions = list(ApplicationQuestion.objects.filter(network=network))
        approved = [
            MembershipApplication(
                network=network, user=users[person.email], motivation=rng.choice(MOTIVATIONS),
                answers=_answers(questions, rng), privacy_version=settings.PRIVACY_NOTICE_VERSION,
                status=MembershipApplication.Status.APPROVED, decided_by=history.coordinator,
                **history.approval(slot.joined_on, rng),
            )
            for person, slot in zip(people, slots, strict=True)
        ]  # fmt: skip
        for application in approved:
            application.privacy_acknowledged_at = application.submitted_at
        self._decision_log(network, history, MembershipApplication.objects.bulk_create(approved))

    def _membership_log(
        self, network: Network, history: "_History", slots: list["_Slot"], rows: list[Membership]
    ) -> None:
        """The renewals paid and the lapses, in the coordinators' log as they happened."""
        Action = DecisionLogEntry.Action
        entries = []
        for slot, membership in zip(slots, rows, strict=True):
            for old, new, at in slot.renewals:
                entries.append(DecisionLogEntry(
                    network=network, actor=history.coordinator, action=Action.RENEWED,
                    membership_id=membership.pk, note=f"valid until {old} → {new}",
                    created_at=at,
                ))  # fmt: skip
            if slot.status == Membership.Status.LAPSED and slot.valid_until:
                lapsed_on = slot.valid_until + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS + 1)
                entries.append(DecisionLogEntry(
                    network=network, actor=None, action=Action.LAPSED,
                    membership_id=membership.pk, created_at=_at(lapsed_on, 3),
                ))  # fmt: skip
        DecisionLogEntry.objects.bulk_create(entries, batch_size=1000)

    def _decision_log(
        self, network: Network, history: "_History", decided: list[MembershipApplication]
    ) -> None:
        DecisionLogEntry.objects.bulk_create(
            [
                DecisionLogEntry(
                    network=network, actor=history.coordinator, action=application.status,
                    application=application, created_at=application.decided_at,
                )
                for application in decided
                if application.pk is not None and application.decided_at is not None
            ],
            batch_size=1000,
        )  # fmt: skip

    def _questions(self, network: Network) -> None:
        if ApplicationQuestion.objects.filter(network=network).exists():
            return
        ApplicationQuestion.objects.bulk_create(
            ApplicationQuestion(network=network, position=n, **fields)
            for n, fields in enumerate(QUESTIONS)
        )

    def _fill_applications(self, spec: DemoNetwork, history: "_History") -> None:
        """Today's queue (spread over the months, most of it recent) and the rejections."""
        network = self.networks[spec.slug]
        rng = random.Random(f"clubin-demo-{spec.slug}-applications")
        people = _fictional_people(spec, spec.applicants + spec.rejected, kind="candidati")
        users = self._users(people)
        # The demo logins' own applications are part of the queue of the story.
        have = MembershipApplication.objects.filter(
            network=network, status__in=MembershipApplication.OPEN
        ).count()
        waiting = [users[p.email] for p in people[: max(spec.applicants - have, 0)]]
        self._apply(spec.slug, waiting, rng, history=history)
        questions = list(ApplicationQuestion.objects.filter(network=network))
        rejected = []
        for person in people[spec.applicants :]:
            dates = history.rejection(rng)
            rejected.append(MembershipApplication(
                network=network, user=users[person.email], motivation=rng.choice(MOTIVATIONS),
                answers=_answers(questions, rng), privacy_version=settings.PRIVACY_NOTICE_VERSION,
                privacy_acknowledged_at=dates["submitted_at"], decided_by=history.coordinator,
                status=MembershipApplication.Status.REJECTED, **dates,
            ))  # fmt: skip
        self._decision_log(network, history, MembershipApplication.objects.bulk_create(rejected))

    def _apply(
        self, slug: str, users: list[User], rng: random.Random, history: "_History | None" = None
    ) -> None:
        network = self.networks[slug]
        questions = list(ApplicationQuestion.objects.filter(network=network))
        sponsors = list(
            Membership.objects.filter(network=network, status=Membership.Status.ACTIVE)
            .order_by("card_number")
            .values_list("user_id", flat=True)[:200]
        )
        now = self.now
        rows = []
        for user in users:
            submitted = (
                history.waiting(rng) if history else now - timedelta(hours=rng.randint(2, 72))
            )
            rows.append(MembershipApplication(
                network=network, user=user, motivation=rng.choice(MOTIVATIONS),
                answers=_answers(questions, rng),
                sponsor_id=rng.choice(sponsors) if sponsors and rng.random() < 0.1 else None,
                privacy_version=settings.PRIVACY_NOTICE_VERSION,
                privacy_acknowledged_at=submitted, submitted_at=submitted,
                **_waitlisted(rng, submitted, now),
            ))  # fmt: skip
        MembershipApplication.objects.bulk_create(rows, ignore_conflicts=True)
        saved = MembershipApplication.objects.filter(
            network=network, user__in=users, status=MembershipApplication.Status.PENDING
        ).values_list("pk", flat=True)
        Endorsement.objects.bulk_create(
            [
                Endorsement(network=network, application_id=pk, endorser_id=rng.choice(sponsors),
                            note=rng.choice(ENDORSEMENT_NOTES))
                for pk in saved
                if sponsors and rng.random() < 0.15
            ],
            ignore_conflicts=True,
        )  # fmt: skip

    def summary(self) -> str:
        lines = ["Demo federation loaded (24 months of history):"]
        S, A = Membership.Status, MembershipApplication.Status
        for spec in NETWORKS:
            network = self.networks[spec.slug]
            cards = Membership.objects.filter(network=network)
            holders = cards.filter(status=S.ACTIVE, valid_until__gte=self.today).count()
            applications = MembershipApplication.objects.filter(network=network)
            waiting = applications.filter(status__in=MembershipApplication.OPEN).count()
            lines.append(
                f"  /{spec.slug}/  {spec.name}: {holders} card-holding members "
                f"({cards.exclude(status=S.ACTIVE).count()} lapsed), {waiting} aspiring; "
                f"{applications.filter(status=A.APPROVED).count()} approved, "
                f"{applications.filter(status=A.REJECTED).count()} rejected"
            )
        return "\n".join([*lines, logins_text()])


def logins_text() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {login.email:45} {login.description}" for login in LOGINS]
    return "\n".join(lines)
