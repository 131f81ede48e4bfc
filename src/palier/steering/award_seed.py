"""The funding call of the national plan and its awards, for `palier seed`.

Always: the call "Compétences et métiers d'avenir — volet santé numérique" (about 122
million euros, 24 awards in its first season) and the real awardees named in the public
sources, with their public figures only. Their amounts are not public: they are stored as 0
and shown as "non communiqué"; their planned learners per population and year are not
public either, so none are stored (the public totals are in the objectives). Dates that
are not sure say "à vérifier" in the source.

With `--demo`: fictitious awardees (organisations and awards marked as demo data, names
obviously fictitious) make the 24 awards, and the demo institute of `organisations/demo.py`
gets an award with its demo campaigns attached, so that its staff see their award page.

Idempotent: rows are created once and never overwritten (steering may correct a figure,
e.g. an amount once it is public, and a later seed keeps it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from palier.accounts.choices import Region
from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType
from palier.organisations.demo import DEMO_ORGANISATION_SLUG
from palier.organisations.models import Organisation
from palier.steering import award_services
from palier.steering.award_access import CAMPAIGN, SESSION, attachable
from palier.steering.models import Award, FundingCall, PlannedLearners
from palier.steering.years import academic_year

CALL_CODE = "cma-sante-numerique"
CALL_AWARDS = 24
SOURCE = (
    "Stratégie d'accélération « Santé numérique » (France 2030), appel à manifestation "
    "d'intérêt « Compétences et métiers d'avenir », volet santé numérique : 24 lauréats, "
    "environ 122 M€ ; lauréats et chiffres cités dans les annonces publiques."
)
UNSURE = " Dates à vérifier."
# Start and end of the programmes whose exact dates are not public (plausible: from the
# 2023 academic year, five years).
PLAUSIBLE_START = dt.date(2023, 9, 1)
PLAUSIBLE_END = dt.date(2028, 8, 31)


@dataclass(frozen=True)
class RealAward:
    code: str
    organisation: str
    slug: str
    region: str
    partners: str
    objectives_fr: str
    objectives_en: str
    source: str


REAL_AWARDS = (
    RealAward(
        "sante-numerique-montpellier",
        "Université de Montpellier",
        "universite-de-montpellier",
        Region.OCCITANIE,
        "",
        "Former 20 000 étudiants au numérique en santé sur 5 ans (chiffre public).",
        "Train 20,000 students in digital health over 5 years (public figure).",
        "Annonce des lauréats : 20 000 étudiants sur 5 ans." + UNSURE,
    ),
    RealAward(
        "sante-numerique-sorbonne",
        "Sorbonne Université",
        "sorbonne-universite",
        Region.ILE_DE_FRANCE,
        "17 partenaires (liste à compléter)",
        "Former 35 000 étudiants au numérique en santé de 2023 à 2028, avec 17 partenaires "
        "(chiffres publics).",
        "Train 35,000 students in digital health from 2023 to 2028, with 17 partners "
        "(public figures).",
        "Annonce des lauréats : 35 000 étudiants, 2023-2028, 17 partenaires. Jours de début "
        "et de fin à vérifier.",
    ),
    RealAward(
        "sante-numerique-strasbourg",
        "Université de Strasbourg",
        "universite-de-strasbourg",
        Region.GRAND_EST,
        "",
        "",
        "",
        "Lauréat cité dans les annonces publiques." + UNSURE,
    ),
    RealAward(
        "sante-numerique-rouen-cote-d-azur",
        "Université de Rouen Normandie",
        "universite-de-rouen-normandie",
        Region.NORMANDIE,
        "Université Côte d'Azur",
        "",
        "",
        "Lauréat cité dans les annonces publiques (avec l'Université Côte d'Azur)." + UNSURE,
    ),
    RealAward(
        "sante-numerique-limoges",
        "Université de Limoges",
        "universite-de-limoges",
        Region.NOUVELLE_AQUITAINE,
        "",
        "",
        "",
        "Lauréat cité dans les annonces publiques." + UNSURE,
    ),
    RealAward(
        "sante-numerique-paris-cite",
        "Université Paris Cité",
        "universite-paris-cite",
        Region.ILE_DE_FRANCE,
        "",
        "",
        "",
        "Lauréat cité dans les annonces publiques." + UNSURE,
    ),
)

# Fictitious awardees (demo data): name, region, amount in euros, planned learners a year
# per population code.
DEMO_AWARDEES = (
    (
        "Université de Valbrume",
        Region.BRETAGNE,
        6_400_000,
        {"medecine": 420, "soins-infirmiers": 600},
    ),
    (
        "Université des Hautes-Combes",
        Region.BOURGOGNE_FRANCHE_COMTE,
        4_900_000,
        {"pharmacie": 250, "maieutique": 60},
    ),
    (
        "Université de Port-Salin",
        Region.PAYS_DE_LA_LOIRE,
        5_300_000,
        {"medecine": 380, "masso-kinesitherapie": 120},
    ),
    (
        "Université du Val-d'Ormont",
        Region.AUVERGNE_RHONE_ALPES,
        7_800_000,
        {"medecine": 650, "odontologie": 140},
    ),
    (
        "Institut régional de formation de Cap-Lumière",
        Region.LA_REUNION,
        2_100_000,
        {"soins-infirmiers": 300, "aide-soignant": 200},
    ),
    (
        "Université de Bois-Joli",
        Region.HAUTS_DE_FRANCE,
        5_600_000,
        {"soins-infirmiers": 700, "ergotherapie": 80},
    ),
    (
        "Université de Mont-Ardent",
        Region.CENTRE_VAL_DE_LOIRE,
        3_900_000,
        {"medecine": 300, "pharmacie": 150},
    ),
    (
        "Université de Rivebelle",
        Region.PROVENCE_ALPES_COTE_D_AZUR,
        6_100_000,
        {"medecine": 500, "orthophonie": 70},
    ),
    (
        "Université des Trois-Vallées",
        Region.GRAND_EST,
        4_400_000,
        {"soins-infirmiers": 450, "orthoptie": 40},
    ),
    (
        "Groupement des instituts de Lande-Claire",
        Region.NOUVELLE_AQUITAINE,
        2_600_000,
        {"aide-soignant": 350, "auxiliaire-puericulture": 120},
    ),
    (
        "Université de Castelbrune",
        Region.OCCITANIE,
        5_000_000,
        {"medecine": 400, "pedicurie-podologie": 50},
    ),
    (
        "Université d'Ile-Verte",
        Region.GUADELOUPE,
        1_900_000,
        {"soins-infirmiers": 220, "medecine": 90},
    ),
    (
        "Campus des métiers du soin de Haut-Vallon",
        Region.AUVERGNE_RHONE_ALPES,
        2_300_000,
        {"aide-soignant": 400},
    ),
    (
        "École du travail social de Bellerive",
        Region.ILE_DE_FRANCE,
        2_000_000,
        {"travail-social-educateurs-assistants": 260},
    ),
    (
        "Université de Sombreval",
        Region.NORMANDIE,
        4_200_000,
        {"manipulateur-electroradiologie-de": 90, "soins-infirmiers": 380},
    ),
    (
        "Institut de formation continue de Clairmarais",
        Region.BRETAGNE,
        1_800_000,
        {"professionnels-en-exercice": 900},
    ),
    (
        "Académie des cadres de santé de Roche-Aiguë",
        Region.CORSE,
        1_500_000,
        {"personnels-administratifs": 300},
    ),
)
DEMO_AWARDEE_PREFIX = "demo-laureat-"
DEMO_INSTITUTE_PLAN = {"soins-infirmiers": 320}
DEMO_INSTITUTE_AMOUNT = 2_400_000


@dataclass(frozen=True)
class AwardSeedReport:
    call: FundingCall
    real: int
    demo: int


@transaction.atomic
def load_award_seed(demo: bool = False) -> AwardSeedReport:
    """The call and its real awards; with `demo`, the fictitious awards as well."""
    call, _ = FundingCall.objects.get_or_create(
        code=CALL_CODE,
        defaults={
            "title_fr": "Compétences et métiers d'avenir — volet santé numérique",
            "title_en": "Skills and jobs of the future — digital-health strand",
            "budget_euros": 122_000_000,
            # The call's opening and closing days are not in the reference: plausible.
            "opens_on": dt.date(2021, 12, 1),
            "closes_on": dt.date(2022, 12, 31),
            "source": SOURCE + " Dates d'ouverture et de clôture à vérifier.",
        },
    )
    for real in REAL_AWARDS:
        organisation, _ = Organisation.objects.get_or_create(
            slug=real.slug,
            defaults={
                "name": real.organisation,
                "type": OrganisationType.UNIVERSITY,
                "region": real.region,
            },
        )
        _save_award(
            call,
            real.code,
            organisation,
            title_fr=f"Formation au numérique en santé — {real.organisation}",
            title_en=f"Digital-health training — {real.organisation}",
            partners=real.partners,
            amount_euros=0,
            objectives_fr=real.objectives_fr,
            objectives_en=real.objectives_en,
            source=real.source,
            is_demo=False,
        )
    demo_count = _load_demo_awards(call) if demo else 0
    return AwardSeedReport(call=call, real=len(REAL_AWARDS), demo=demo_count)


def _save_award(
    call: FundingCall, code: str, organisation: Organisation, **fields: object
) -> Award:
    award, _ = Award.objects.get_or_create(
        code=code,
        defaults={
            "call": call,
            "organisation": organisation,
            "starts_on": PLAUSIBLE_START,
            "ends_on": PLAUSIBLE_END,
            **fields,
        },
    )
    return award


def _plan(award: Award, per_year: dict[str, int]) -> None:
    populations = Population.objects.in_bulk(list(per_year), field_name="code")
    for year in range(academic_year(award.starts_on), academic_year(award.ends_on) + 1):
        for code, learners in per_year.items():
            if code in populations:
                PlannedLearners.objects.get_or_create(
                    award=award,
                    population=populations[code],
                    academic_year=year,
                    defaults={"learners": learners},
                )


def _demo_fields(name: str, amount: int) -> dict[str, object]:
    return {
        "title_fr": f"Parcours santé numérique — {name} (démonstration)",
        "title_en": f"Digital-health pathway — {name} (demo)",
        "partners": "",
        "amount_euros": amount,
        "objectives_fr": "Projet fictif : données de démonstration.",
        "objectives_en": "Fictitious programme: demo data.",
        "source": "Données de démonstration.",
        "is_demo": True,
    }


def _load_demo_awards(call: FundingCall) -> int:
    count = 0
    for number, (name, region, amount, plan) in enumerate(DEMO_AWARDEES, start=1):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"{DEMO_AWARDEE_PREFIX}{number:02d}",
            defaults={
                "name": f"{name} (démonstration)",
                "type": OrganisationType.UNIVERSITY,
                "region": region,
                "is_demo": True,
            },
        )
        award = _save_award(
            call, f"{DEMO_AWARDEE_PREFIX}{number:02d}", organisation, **_demo_fields(name, amount)
        )
        _plan(award, plan)
        count += 1
    institute = Organisation.objects.filter(slug=DEMO_ORGANISATION_SLUG).first()
    if institute is not None:
        name = institute.name.removesuffix(" (démonstration)")
        award = _save_award(
            call, "demo-ifsi-rive-gauche", institute, **_demo_fields(name, DEMO_INSTITUTE_AMOUNT)
        )
        _plan(award, DEMO_INSTITUTE_PLAN)
        for kind in (CAMPAIGN, SESSION):
            for target in attachable(award, kind):
                award_services.attach(award, kind, target.pk)
        count += 1
    return count


@transaction.atomic
def remove_demo_awards() -> int:
    """Delete the demo awards (their plans and links go with them) and the fictitious
    awardee organisations; to run before the demo organisation is removed (an award
    protects its awardee). Returns the number of awards removed."""
    awards = Award.objects.filter(is_demo=True)
    count = awards.count()
    awards.delete()
    Organisation.objects.filter(slug__startswith=DEMO_AWARDEE_PREFIX, is_demo=True).delete()
    return count
