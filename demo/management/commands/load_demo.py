"""Load the demo federation: ClubIN's six networks, their fictional members and the demo logins.

Idempotent: people are keyed by email, networks by slug, memberships by (network, person), so a
second run adds nothing. Everyone here is invented; the email domains are reserved for examples.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
    Endorsement,
    MembershipApplication,
    Profile,
    Sector,
    User,
)
from members.services.applications import membership_year_end
from networks.models import Membership, Network

DEMO_PASSWORD = "clubin-demo"  # noqa: S105 (printed for everyone: demo data only)


@dataclass(frozen=True)
class DemoNetwork:
    slug: str
    name: str
    region: str
    city: str
    launched_on: date
    status: str
    members: int
    description: str
    applicants: int = 0
    card_prefix: str = ""


NETWORKS = [
    DemoNetwork("milan", "MilanIN", "Lombardia", "Milano", date(2008, 3, 12), "active", 95,
                "Dove tutto è cominciato: il gruppo LinkedIn di Milano che ha trasformato i "
                "contatti online in serate di business networking.", 80, "MI"),
    DemoNetwork("florence", "FlorenceIN", "Toscana", "Firenze", date(2009, 10, 8), "active", 140,
                "Lanciato con più di cento persone in un albergo fiorentino: in poche settimane "
                "140 soci tesserati e oltre 700 aspiranti soci.", 700, "FI"),
    DemoNetwork("veneto", "VenetoIN", "Veneto", "Padova", date(2010, 2, 4), "active", 64,
                "Imprenditori e professionisti del Nord-Est tra Padova, Venezia, Verona "
                "e Treviso.", 40, "VE"),
    DemoNetwork("cagliari", "CagliariIN", "Sardegna", "Cagliari", date(2010, 5, 21), "active", 38,
                "La rete sarda di ClubIN: turismo, agroalimentare e innovazione.", 25, "CA"),
    DemoNetwork("bologna", "BolognaIN", "Emilia-Romagna", "Bologna", date(2011, 1, 27), "forming",
                9, "In formazione: i primi incontri a Bologna per la rete emiliana.", 12, "BO"),
    DemoNetwork("marche", "MarcheIN", "Marche", "Ancona", date(2011, 3, 17), "forming", 7,
                "In formazione: una rete per le imprese marchigiane, da Pesaro ad Ascoli.",
                8, "MA"),
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


def _waitlisted(rng: random.Random, now: datetime) -> dict:
    if rng.random() < 0.02:
        return {"status": MembershipApplication.Status.WAITLISTED, "waitlisted_at": now}
    return {}


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

    def load(self) -> None:
        for spec in NETWORKS:
            self.networks[spec.slug] = self._network(spec)
            self._questions(self.networks[spec.slug])
        self._logins()
        for spec in NETWORKS:
            self._fill_members(spec)
        for spec in NETWORKS:
            self._fill_applications(spec)

    def _network(self, spec: DemoNetwork) -> Network:
        network, _ = Network.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "region": spec.region,
                "city": spec.city,
                "launched_on": spec.launched_on,
                "status": spec.status,
                "description": spec.description,
                "card_prefix": spec.card_prefix,
            },
        )
        return network

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

    def _fill_members(self, spec: DemoNetwork) -> None:
        network = self.networks[spec.slug]
        existing = Membership.objects.filter(network=network).count()
        missing = spec.members - existing
        if missing <= 0:
            return
        users = self._users(_fictional_people(spec, missing))
        self._join(spec.slug, list(users.values()), Membership.Role.MEMBER)

    def _join(self, slug: str, users: list[User], role: str) -> None:
        network = self.networks[slug]
        taken = set(Membership.objects.filter(network=network).values_list("user_id", flat=True))
        newcomers = [u for u in users if u.pk not in taken]
        highest = max(
            Membership.objects.filter(network=network).values_list("card_number", flat=True),
            default=None,
            key=lambda n: n or 0,
        )
        start = (highest or 0) + 1
        span = (
            max((timezone.localdate() - network.launched_on).days, 1) if network.launched_on else 1
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    network=network,
                    user=user,
                    role=role,
                    card_number=start + i,
                    joined_on=(network.launched_on or timezone.localdate())
                    + timedelta(days=(i * 37) % span),
                    valid_until=membership_year_end(timezone.localdate()),
                )
                for i, user in enumerate(newcomers)
            ]
        )

    def _questions(self, network: Network) -> None:
        if ApplicationQuestion.objects.filter(network=network).exists():
            return
        ApplicationQuestion.objects.bulk_create(
            ApplicationQuestion(network=network, position=n, **fields)
            for n, fields in enumerate(QUESTIONS)
        )

    def _fill_applications(self, spec: DemoNetwork) -> None:
        network = self.networks[spec.slug]
        have = MembershipApplication.objects.filter(network=network).count()
        if have >= spec.applicants:
            return
        rng = random.Random(f"clubin-demo-{spec.slug}-applications")
        people = _fictional_people(spec, spec.applicants, kind="candidati")[have:]
        users = self._users(people)
        self._apply(spec.slug, [users[p.email] for p in people], rng)

    def _apply(self, slug: str, users: list[User], rng: random.Random) -> None:
        network = self.networks[slug]
        questions = list(ApplicationQuestion.objects.filter(network=network))
        sponsors = list(
            Membership.objects.filter(network=network).values_list("user_id", flat=True)[:200]
        )
        now = timezone.now()
        MembershipApplication.objects.bulk_create(
            [
                MembershipApplication(
                    network=network,
                    user=user,
                    motivation=rng.choice(MOTIVATIONS),
                    answers=_answers(questions, rng),
                    sponsor_id=rng.choice(sponsors) if sponsors and rng.random() < 0.1 else None,
                    privacy_version=settings.PRIVACY_NOTICE_VERSION,
                    privacy_acknowledged_at=now,
                    submitted_at=now - timedelta(hours=rng.randint(1, 24 * 45)),
                    **_waitlisted(rng, now),
                )
                for user in users
            ],
            ignore_conflicts=True,
        )
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
        lines = ["Demo federation loaded:"]
        for spec in NETWORKS:
            network = self.networks[spec.slug]
            count = Membership.objects.filter(network=network).count()
            pending = MembershipApplication.objects.filter(network=network).count()
            lines.append(
                f"  /{spec.slug}/  {spec.name}: {count} card-holding members, "
                f"{pending} applications"
            )
        return "\n".join([*lines, logins_text()])


def logins_text() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {login.email:45} {login.description}" for login in LOGINS]
    return "\n".join(lines)
