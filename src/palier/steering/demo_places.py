"""The demo institutions of `palier demo_steering` (steering/demo_activity.py): about thirty
fictitious institutions of every type across France, overseas included, plus the demo
awardees of the award seed. Names are obviously fictitious and say "(démonstration)"."""

from __future__ import annotations

from dataclasses import dataclass

from palier.accounts.choices import Region
from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType as Type
from palier.organisations.models import Organisation
from palier.steering.award_seed import DEMO_AWARDEE_PREFIX, DEMO_AWARDEES

DEMO_SLUG_PREFIX = "demo-etab-"
# (name, region, type, populations, size): size is the institution's demo learners over the
# years, None for a size drawn between 40 and 400; a few small institutions keep their cells hidden.
INSTITUTIONS: tuple[tuple[str, str, str, tuple[str, ...], int | None], ...] = (
    ("Université de Valmont-sur-Loire", Region.CENTRE_VAL_DE_LOIRE, Type.UNIVERSITY,
     ("medecine", "maieutique", "pharmacie"), None),
    ("Université des Hauts-Plateaux", Region.AUVERGNE_RHONE_ALPES, Type.UNIVERSITY,
     ("medecine", "pharmacie"), None),
    ("Université de Bois-Rouge", Region.LA_REUNION, Type.UNIVERSITY,
     ("medecine", "maieutique"), 160),
    ("Université de Port-Corail", Region.MARTINIQUE, Type.UNIVERSITY, ("medecine",), 120),
    ("Université de Marais-Blanc", Region.HAUTS_DE_FRANCE, Type.UNIVERSITY,
     ("medecine", "masso-kinesitherapie"), None),
    ("Université de la Pinède", Region.PROVENCE_ALPES_COTE_D_AZUR, Type.UNIVERSITY,
     ("medecine", "orthophonie"), None),
    ("IFSI de Kerhaleg", Region.BRETAGNE, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), None),
    ("IFSI des Trois-Rivières", Region.GUYANE, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), 90),
    ("IFSI de Mont-Ardent", Region.GRAND_EST, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), None),
    ("IFSI du Val-d'Orne", Region.NORMANDIE, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), None),
    ("Institut de formation en rééducation de Garonne-Haute", Region.OCCITANIE,
     Type.HEALTH_TRAINING_INSTITUTE, ("masso-kinesitherapie", "ergotherapie"), None),
    ("IFSI du Lagon", Region.MAYOTTE, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), 14),
    ("IFSI de Saint-Aubrac", Region.BOURGOGNE_FRANCHE_COMTE, Type.HEALTH_TRAINING_INSTITUTE,
     ("soins-infirmiers",), None),
    ("IFAS du Bocage-Vert", Region.PAYS_DE_LA_LOIRE, Type.VOCATIONAL_INSTITUTE,
     ("aide-soignant",), None),
    ("IFAS-IFAP de Cap-Soleil", Region.LA_REUNION, Type.VOCATIONAL_INSTITUTE,
     ("aide-soignant", "auxiliaire-puericulture"), 110),
    ("IFAS de Haute-Lande", Region.NOUVELLE_AQUITAINE, Type.VOCATIONAL_INSTITUTE,
     ("aide-soignant",), None),
    ("IFAP des Collines", Region.ILE_DE_FRANCE, Type.VOCATIONAL_INSTITUTE,
     ("auxiliaire-puericulture",), 60),
    ("IFAS de la Vallée d'Ascu", Region.CORSE, Type.VOCATIONAL_INSTITUTE,
     ("aide-soignant",), 12),
    ("École de travail social des Deux-Caps", Region.HAUTS_DE_FRANCE, Type.OTHER,
     ("travail-social-educateurs-assistants",), None),
    ("Institut régional du travail social de Val-Fleuri", Region.OCCITANIE, Type.OTHER,
     ("travail-social-educateurs-assistants", "travail-social-accompagnants"), None),
    ("École de travail social de Morne-Clair", Region.GUADELOUPE, Type.OTHER,
     ("travail-social-accompagnants",), 70),
    ("Santé Plus Formation de Rive-Haute", Region.ILE_DE_FRANCE, Type.CONTINUING_EDUCATION,
     ("professionnels-en-exercice",), None),
    ("Formation continue des soignants de l'Estuaire", Region.PAYS_DE_LA_LOIRE,
     Type.CONTINUING_EDUCATION, ("professionnels-en-exercice",), None),
    ("Formation continue des Alizés", Region.MARTINIQUE, Type.CONTINUING_EDUCATION,
     ("professionnels-en-exercice",), 50),
)  # fmt: skip


@dataclass(frozen=True)
class Institution:
    organisation: Organisation
    populations: list[Population]
    size: int | None


def demo_institutions() -> list[Institution]:
    """The demo institutions (created once) and the demo awardees, with their populations."""
    populations = Population.objects.in_bulk(field_name="code")
    chosen = []
    for number, (name, region, kind, codes, size) in enumerate(INSTITUTIONS, start=1):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"{DEMO_SLUG_PREFIX}{number:02d}",
            defaults={
                "name": f"{name} (démonstration)",
                "type": kind,
                "region": region,
                "is_demo": True,
            },
        )
        found = [populations[code] for code in codes if code in populations]
        chosen.append(Institution(organisation, found, size))
    for number, (_name, _region, _amount, plan) in enumerate(DEMO_AWARDEES, start=1):
        organisation = Organisation.objects.filter(
            slug=f"{DEMO_AWARDEE_PREFIX}{number:02d}", is_demo=True
        ).first()
        if organisation is not None:
            found = [populations[code] for code in plan if code in populations]
            chosen.append(Institution(organisation, found, None))
    return [place for place in chosen if place.populations]
