"""Load the demo federation: ClubIN's six networks, their fictional members and the demo logins.

Idempotent: people are keyed by email, networks by slug, memberships by (network, person), so a
second run adds nothing. Everyone here is invented; the email domains are reserved for examples.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from members.models import Profile, Sector, User
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


NETWORKS = [
    DemoNetwork("milan", "MilanIN", "Lombardia", "Milano", date(2008, 3, 12), "active", 95,
                "Dove tutto è cominciato: il gruppo LinkedIn di Milano che ha trasformato i "
                "contatti online in serate di business networking."),
    DemoNetwork("florence", "FlorenceIN", "Toscana", "Firenze", date(2009, 10, 8), "active", 140,
                "Lanciato con più di cento persone in un albergo fiorentino: in poche settimane "
                "140 soci tesserati e oltre 700 aspiranti soci."),
    DemoNetwork("veneto", "VenetoIN", "Veneto", "Padova", date(2010, 2, 4), "active", 64,
                "Imprenditori e professionisti del Nord-Est tra Padova, Venezia, Verona "
                "e Treviso."),
    DemoNetwork("cagliari", "CagliariIN", "Sardegna", "Cagliari", date(2010, 5, 21), "active", 38,
                "La rete sarda di ClubIN: turismo, agroalimentare e innovazione."),
    DemoNetwork("bologna", "BolognaIN", "Emilia-Romagna", "Bologna", date(2011, 1, 27), "forming",
                9, "In formazione: i primi incontri a Bologna per la rete emiliana."),
    DemoNetwork("marche", "MarcheIN", "Marche", "Ancona", date(2011, 3, 17), "forming", 7,
                "In formazione: una rete per le imprese marchigiane, da Pesaro ad Ascoli."),
]  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    description: str
    coordinates: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
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


@dataclass
class Person:
    email: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    sector: str
    city: str


def _fictional_people(network: DemoNetwork, count: int) -> list[Person]:
    rng = random.Random(f"clubin-demo-{network.slug}")  # same people on every run
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
                email=f"{local}.{network.slug}{n}@soci.example",
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

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args, force: bool = False, **options):
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
        self._logins()
        for spec in NETWORKS:
            self._fill_members(spec)

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
        Profile.objects.bulk_create(
            [
                Profile(
                    user=users[p.email],
                    company=p.company,
                    job_title=p.job_title,
                    sector=p.sector,
                    city=p.city,
                )
                for p in people
            ],
            ignore_conflicts=True,
        )
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
                )
                for i, user in enumerate(newcomers)
            ]
        )

    def summary(self) -> str:
        lines = ["Demo federation loaded:"]
        for spec in NETWORKS:
            count = Membership.objects.filter(network=self.networks[spec.slug]).count()
            lines.append(f"  /{spec.slug}/  {spec.name}: {count} card-holding members")
        lines.append(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        lines += [f"  {login.email:45} {login.description}" for login in LOGINS]
        return "\n".join(lines)
