"""Load the demo business between FlorenceIN's members: asks and offers, answers, introductions,
one-to-ones, referrals and "we met" marks at the launch evening.

Run after ``load_demo`` (and ``load_demo_events`` for the marks). Everything goes through the ties
services, so the rules hold (an introduction needs connections, a won referral connects). The
story is one piece: each step needs the connections the earlier ones made, so it is keyed by its
first ask and a second run adds nothing. The services date every row now; afterwards the rows are
moved back over the last months with ``.update()`` (the services rightly have no date argument:
a real member cannot back-date). The emails they queue stay in the outbox marked cancelled, so
nothing is delivered to the invented people.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django_scopes import scope

from demo.management.commands.load_demo_events import LAUNCH
from events.models import Event, Registration
from events.services.registrations import registration_listing_set
from members.models import Profile, Sector, User
from networks.models import Membership, Network
from outbox.selectors import outbox_last_id
from outbox.services import outbox_cancel_queued_since
from ties.models import (
    Answer,
    Connection,
    EventListing,
    EventMeet,
    Introduction,
    OneToOne,
    Post,
    Referral,
)
from ties.services.board import answer_create, post_close, post_create
from ties.services.introductions import introduction_make, introduction_reply
from ties.services.meetings import (
    event_listing_set,
    event_meet_mark,
    one_to_one_confirm,
    one_to_one_record,
)
from ties.services.referrals import referral_create, referral_move

COORDINATOR_FLORENCE = "coordinatore.firenze@clubin.example"
MEMBER_FLORENCE = "socio.firenze@clubin.example"
NOTARY = "Cerco un notaio a Firenze che conosce le start-up"
DEMO_MAIL_PREFIX = "ties-"  # the templates of the emails the ties services queue

Kind, Reach = Post.Kind, Post.Reach


def _days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days, hours=days % 7, minutes=days * 13 % 60)


def _backdate(rows: QuerySet[Any], days: int, *fields: str) -> None:
    """Move rows the services dated now ``days`` back (see the module's docstring)."""
    rows.update(**dict.fromkeys(fields or ("created_at",), _days_ago(days)))


def _pk(row: Model) -> Any:
    return type(row)._default_manager.filter(pk=row.pk)


class Command(BaseCommand):
    help = "Load the demo business between FlorenceIN's members (run after load_demo). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo loader adds fictional "
                "asks, introductions and referrals; pass --force if you really mean it."
            )
        with transaction.atomic():
            loader = DemoTiesLoader()
            created = loader.load()
            summary = loader.summary(created=created)
        self.stdout.write(self.style.SUCCESS(summary))


class DemoTiesLoader:
    def __init__(self) -> None:
        florence = Network.objects.filter(slug="florence").first()
        veneto = Network.objects.filter(slug="veneto").first()
        me = User.objects.filter(email=MEMBER_FLORENCE).first()
        if florence is None or veneto is None or me is None:
            raise CommandError("The demo federation is missing: run `manage.py load_demo` first.")
        self.florence, self.veneto, self.me = florence, veneto, me
        self.rng = random.Random("clubin-demo-ties")  # noqa: S311 (the same demo on every run)

    def load(self) -> bool:
        with scope(network=self.florence):
            if Post.objects.filter(network=self.florence, author=self.me, title=NOTARY).exists():
                return False
        mail_before = outbox_last_id()
        with scope(network=self.florence):
            self._story()
        # Recorded, never delivered: answers, introductions and referrals of invented people.
        outbox_cancel_queued_since(after_id=mail_before, template_prefix=DEMO_MAIL_PREFIX)
        return True

    def _members(self, network: Network, count: int) -> list[User]:
        """A fixed sample of active, visible members (not coordinators), the persona aside."""
        with scope(network=network):
            users = list(
                User.objects.filter(
                    memberships__network=network,
                    memberships__role=Membership.Role.MEMBER,
                    memberships__status=Membership.Status.ACTIVE,
                    is_active=True,
                )
                .exclude(pk=self.me.pk)
                .exclude(email=COORDINATOR_FLORENCE)
                .exclude(profile__visibility=Profile.Visibility.HIDDEN)
                .order_by("pk")
            )
        return self.rng.sample(users, min(count, len(users)))

    def _story(self) -> None:
        me, (m1, m2, m3, m4, m5, m6, m7, m8) = self.me, self._members(self.florence, 8)
        (venetian,) = self._members(self.veneto, 1)
        notary = self._post(me, Kind.ASK, Reach.NETWORK, NOTARY, Sector.LEGAL, 120, (
            "Stiamo costituendo una S.r.l. innovativa con due soci: cerco un notaio che abbia "
            "già seguito start-up e aumenti di capitale con investitori."
        ))  # fmt: skip
        self._answer(
            notary,
            m1,
            Answer.Kind.INTRODUCE,
            118,
            "Il notaio Bellandi in via dei Servi ha seguito la nostra: te lo presento.",
        )
        self._answer(notary, m2, Answer.Kind.HELP, 117, "Ne conosco due, ti scrivo i nomi.")
        self._close(notary, me, helper=m1, days=110)
        offer = self._post(me, Kind.OFFER, Reach.NETWORK,
                           "Offro una mezza giornata di revisione dei processi amministrativi",
                           Sector.CONSULTING, 20, (
            "Per le PMI della rete che stanno crescendo: guardiamo insieme fatture, incassi e "
            "strumenti, senza impegno."
        ))  # fmt: skip
        self._answer(offer, m3, Answer.Kind.HELP, 18, "Mi interessa molto, siamo in 12 ormai.")
        packaging = self._post(m4, Kind.ASK, Reach.FEDERATION,
                               "Cerco un fornitore di imballaggi compostabili",
                               Sector.MANUFACTURING, 95, (
            "Per la linea di cosmetici: scatole e riempitivi compostabili, lotti da 5.000 pezzi, "
            "anche fuori Toscana."
        ))  # fmt: skip
        self._answer(
            packaging,
            me,
            Answer.Kind.INTRODUCE,
            94,
            "Un mio cliente di Prato produce proprio questo.",
        )
        self._answer(
            packaging,
            venetian,
            Answer.Kind.HELP,
            93,
            "Lavoriamo a Padova con cartotecniche certificate, sentiamoci.",
            via=self.veneto,
        )
        self._close(packaging, m4, helper=me, days=85)
        ecommerce = self._post(m2, Kind.ASK, Reach.NETWORK,
                               "Un commercialista che conosce l'e-commerce e l'IVA estera",
                               Sector.ACCOUNTING, 70, (
            "Vendiamo online in tutta Europa e il regime OSS ci sta facendo impazzire."
        ))  # fmt: skip
        self._answer(ecommerce, m5, Answer.Kind.HELP, 69, "Seguo tre negozi online, chiamami.")
        self._answer(
            ecommerce,
            m1,
            Answer.Kind.INTRODUCE,
            68,
            "Il mio studio lavora con una collega esperta di OSS.",
        )
        self._close(ecommerce, m2, helper=m1, days=60)
        room = self._post(
            m5,
            Kind.OFFER,
            Reach.NETWORK,
            "Sala riunioni in centro a disposizione dei soci il venerdì",
            Sector.REAL_ESTATE,
            40,
            "Dieci posti, proiettore, a due passi dal Duomo.",
        )
        self._answer(room, m6, Answer.Kind.HELP, 38, "Ottimo per i nostri workshop, grazie!")
        german = self._post(
            m6,
            Kind.ASK,
            Reach.NETWORK,
            "Un traduttore tecnico dal tedesco per manuali di macchine",
            Sector.MANUFACTURING,
            30,
            "Circa 200 pagine, consegna entro due mesi.",
        )
        self._answer(
            german,
            m7,
            Answer.Kind.INTRODUCE,
            29,
            "Mia cugina traduce per la meccanica strumentale, vi metto in contatto.",
        )
        self._post(
            m7,
            Kind.OFFER,
            Reach.NETWORK,
            "Servizi fotografici per eventi aziendali a prezzo soci",
            Sector.MARKETING,
            12,
            "Ritratti del team, eventi e prodotti: sconto del 15%.",
        )
        wine = self._post(
            m8,
            Kind.ASK,
            Reach.NETWORK,
            "Un'azienda vinicola del Chianti per i regali di Natale ai clienti",
            Sector.FOOD,
            8,
            "Circa 150 confezioni, con biglietto personalizzato.",
        )
        self._answer(wine, m1, Answer.Kind.INTRODUCE, 6, "Conosco bene una fattoria a Greve.")

        # Referrals: two won (they connect), one at the meeting stage, one lost.
        self._referral(m1, me, "Una società di software che deve riorganizzare l'amministrazione",
                       "Verdi Software S.r.l.", Decimal("6000"), 100,
                       Referral.Status.WON, Decimal("4800"), 50)  # fmt: skip
        self._referral(m4, m6, "Un cliente che cerca un impianto fotovoltaico per il capannone",
                       "Tessitura Lanzi S.p.A.", Decimal("25000"), 75,
                       Referral.Status.WON, Decimal("21500"), 40)  # fmt: skip
        self._referral(me, m2, "Un'agenzia di viaggi che vuole aprire il suo negozio online",
                       "Viaggi del Giglio", Decimal("8000"), 25,
                       Referral.Status.MEETING, None, 15)  # fmt: skip
        self._referral(m5, m3, "Un ristorante che cerca un nuovo gestionale per le prenotazioni",
                       "Trattoria Il Porcellino", Decimal("3000"), 65,
                       Referral.Status.LOST, None, 45)  # fmt: skip

        # Introductions: they need the introducer connected to both sides.
        intro = self._introduce(
            me, m1, m4, 80, "Lei cerca un avvocato d'affari, lui lo è ed è bravo."
        )
        self._reply(intro, m1, m4, days=78)
        intro = self._introduce(m4, me, m6, 35, "Entrambi lavorate con le PMI tessili di Prato.")
        self._reply(intro, me, m6, days=33)
        intro = self._introduce(m1, me, m2, 4, "Dovete conoscervi: vi mandate già clienti!")
        self._reply(intro, m2, days=3)  # the persona has not answered yet

        # One-to-ones: two confirmed, one waiting for the persona.
        self._one_to_one(me, m1, 105, "Caffè da Gilli: parlato della sua rete di notai.", True)
        self._one_to_one(m6, me, 30, "Pranzo veloce, idee per un evento comune.", True)
        self._one_to_one(m2, me, 2, "Visto in ufficio per il cliente dell'agenzia viaggi.", False)
        self._met_at_launch()
        self._coming_next()

    # --- Steps ----------------------------------------------------------------------------

    def _post(self, author: User, kind: str, reach: str, title: str, sector: str, days: int,
              body: str) -> Post:  # fmt: skip
        post = post_create(
            network=self.florence, author=author, kind=kind, reach=reach, title=title, body=body,
            sector=sector, city="Firenze", expires_on=timezone.localdate() + timedelta(days=120),
        )  # fmt: skip
        _backdate(_pk(post), days)
        return post

    def _answer(self, post: Post, author: User, kind: str, days: int, note: str,
                via: Network | None = None) -> Answer:  # fmt: skip
        via = via or self.florence
        with scope(network=via):  # as the answerer sees it: from their own network's board
            answer = answer_create(post=post, author=author, via=via, kind=kind, note=note)
        _backdate(_pk(answer), days)
        return answer

    def _close(self, post: Post, author: User, *, helper: User, days: int) -> None:
        with scope(network=self.florence):
            helpful = Answer.objects.get(post=post, author=helper)
            # The author read the answers before choosing one.
            Answer.objects.filter(post=post).update(read_at=_days_ago(days))
        post_close(post=post, user=author, helpful_answer_id=helpful.pk)
        _backdate(_pk(post), days, "closed_at")
        self._backdate_connection(author, helper, days)

    def _backdate_connection(self, a: User, b: User, days: int) -> None:
        low, high = sorted((a.pk, b.pk))
        with scope(network=self.florence):
            rows = Connection.objects.filter(user_low_id=low, user_high_id=high)
            # Only a connection made just now: an older one keeps the day it began.
            rows = rows.filter(created_at__gte=timezone.now() - timedelta(minutes=5))
            _backdate(rows, days)

    def _referral(
        self, giver: User, receiver: User, what: str, for_whom: str, estimate: Decimal,
        days: int, status: str, won: Decimal | None, moved_days: int,
    ) -> None:  # fmt: skip
        referral = referral_create(
            network=self.florence, giver=giver, receiver_id=receiver.pk, what=what,
            for_whom=for_whom, estimated_value=estimate,
        )  # fmt: skip
        referral_move(referral=referral, user=receiver, status=status, won_value=won)
        _backdate(_pk(referral), days)
        _backdate(_pk(referral), moved_days, "status_changed_at")
        if status in (Referral.Status.WON, Referral.Status.LOST):
            _pk(referral).update(closed_on=timezone.localdate() - timedelta(days=moved_days))
        if status == Referral.Status.WON:
            self._backdate_connection(giver, receiver, moved_days)

    def _introduce(self, introducer: User, first: User, second: User, days: int,
                   note: str) -> Introduction:  # fmt: skip
        intro = introduction_make(
            network=self.florence, introducer=introducer, first=first, second=second, note=note
        )
        _backdate(_pk(intro), days)
        return intro

    def _reply(self, intro: Introduction, *people: User, days: int) -> None:
        for person in people:
            introduction_reply(introduction_id=intro.pk, user=person, accept=True)
        if len(people) == 2:
            _backdate(_pk(intro), days, "accepted_at")
            self._backdate_connection(*people, days)

    def _one_to_one(self, by: User, other: User, days: int, note: str, confirmed: bool) -> None:
        met_on = timezone.localdate() - timedelta(days=days)
        meeting = one_to_one_record(
            network=self.florence, recorded_by=by, other=other, met_on=met_on, note=note
        )
        _backdate(_pk(meeting), days - 1 if days > 1 else 0)
        if confirmed:
            one_to_one_confirm(one_to_one_id=meeting.pk, user=other)
            _backdate(_pk(meeting), max(days - 2, 0), "confirmed_at")
            self._backdate_connection(by, other, max(days - 2, 0))

    def _met_at_launch(self) -> None:
        """Two "we met" marks at the launch evening: the persona and someone who came, both ways."""
        event = Event.objects.filter(network=self.florence, title=LAUNCH).first()
        if event is None or not event.has_started:
            return  # load_demo_events has not run: no evening to have met at
        came = (
            Registration.objects.filter(
                event=event, user__isnull=False, checked_in_at__isnull=False
            )
            .exclude(user=self.me)
            .exclude(user__email=COORDINATOR_FLORENCE)
            .exclude(user__profile__visibility=Profile.Visibility.HIDDEN)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        if not Registration.objects.filter(
            event=event, user=self.me, checked_in_at__isnull=False
        ).exists():
            return
        other = User.objects.get(pk=self.rng.choice(list(came)))
        for person in (self.me, other):
            event_listing_set(event=event, user=person, listed=True)
        event_meet_mark(event=event, network=self.florence, from_user=self.me, to_user=other)
        event_meet_mark(event=event, network=self.florence, from_user=other, to_user=self.me)
        # Marked that evening, as those who came do on their way home.
        pair = [self.me.pk, other.pk]
        EventListing.objects.filter(event=event, user_id__in=pair).update(created_at=event.ends_at)
        EventMeet.objects.filter(event=event, from_user_id__in=pair).update(
            created_at=event.ends_at
        )
        self._backdate_connection(self.me, other, (timezone.now() - event.ends_at).days)

    def _coming_next(self) -> None:
        """Most of those with a place at FlorenceIN's next evening chose to be listed, the
        persona among them: its page shows "who is coming" on first run."""
        event = (
            Event.objects.filter(
                network=self.florence, status=Event.Status.PUBLISHED, starts_at__gt=timezone.now()
            )
            .order_by("starts_at")
            .first()
        )
        if event is None:
            return  # load_demo_events has not run
        places = Registration.objects.filter(
            event=event, user__isnull=False, status=Registration.Status.CONFIRMED
        ).order_by("pk")
        for registration in places:
            if registration.user_id == self.me.pk or self.rng.random() < 0.6:
                registration_listing_set(registration=registration, listed=True)

    # --- The summary ----------------------------------------------------------------------

    def summary(self, *, created: bool) -> str:
        head = "Demo business: loaded." if created else "Demo business: already there."
        with scope(network=self.florence):
            posts = Post.objects.filter(network=self.florence)
            lines = [
                head,
                f"  /{self.florence.slug}/board/  {posts.count()} asks and offers "
                f"({posts.filter(status=Post.Status.CLOSED).count()} closed), "
                f"{Answer.objects.filter(post__in=posts).count()} answers",
                f"  {Introduction.objects.filter(network=self.florence).count()} introductions, "
                f"{OneToOne.objects.filter(network=self.florence).count()} one-to-ones, "
                f"{Referral.objects.filter(network=self.florence).count()} referrals, "
                f"{Connection.objects.filter(network=self.florence).count()} connections",
                f"Sign in as {MEMBER_FLORENCE} and open /me/ and /me/referrals/",
            ]
        return "\n".join(lines)
