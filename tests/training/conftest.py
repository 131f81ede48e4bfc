from decimal import Decimal

import pytest

from palier.frameworks.models import Capacity, Population
from palier.organisations.choices import OrganisationType
from palier.training.models import Module
from tests.factories import make_organisation


def sessions_data(*sessions: dict[str, str], initial: int = 0) -> dict[str, str]:
    """The POST fields of the module form's sessions formset: `initial` stored sessions
    first (each with its "id"), then new ones."""
    data = {
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": str(initial),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for index, session in enumerate(sessions):
        data.update({f"sessions-{index}-{name}": value for name, value in session.items()})
    return data


def module_data(*sessions: dict[str, str], initial: int = 0, **changes: object) -> dict:
    """A valid POST of the provider's module form, with `changes` and sessions."""
    data = {
        "title_fr": "Sécuriser son poste en stage",
        "summary_fr": "Un module court.",
        "format": "elearning",
        "hours": "2",
        "language": "fr",
        "price_cents": "0",
        "target_level": "3",
        "enrol_url": "https://univ.example/securite",
        "capacities": [str(Capacity.objects.get(code="D2.C4.1").pk)],
        "statuses": ["student"],
    }
    data.update(changes)
    data.update(sessions_data(*sessions, initial=initial))
    return data


def make_module(code: str, provider, capacities: list[str], **fields) -> Module:
    populations = fields.pop("populations", [])
    module = Module.objects.create(
        code=code,
        provider=provider,
        title_fr=fields.pop("title_fr", f"Module {code}"),
        summary_fr="Résumé.",
        format=fields.pop("format", Module.Format.ELEARNING),
        hours=Decimal(str(fields.pop("hours", 3))),
        language=fields.pop("language", "fr"),
        target_level=fields.pop("target_level", 3),
        enrol_url="https://formation.example/x",
        status=fields.pop("status", Module.Status.PUBLISHED),
        **fields,
    )
    module.capacities.set(Capacity.objects.filter(code__in=capacities))
    module.populations.set(Population.objects.filter(code__in=populations))
    return module


@pytest.fixture
def catalogue(framework):
    """A small catalogue on cybersecurity (D2) and telehealth (D5)."""
    university = make_organisation(
        "Université Test", slug="univ-test", type=OrganisationType.UNIVERSITY
    )
    private = make_organisation(
        "Formation Continue Test", slug="fc-test", type=OrganisationType.CONTINUING_EDUCATION
    )
    return {
        "university": university,
        "private": private,
        "students": make_module(
            "cyber-etudiants",
            university,
            ["D2.C2.1", "D2.C2.2"],
            statuses="student",
            populations=["soins-infirmiers"],
        ),
        "pros": make_module(
            "cyber-pros",
            private,
            ["D2.C2.1", "D2.C2.2"],
            statuses="self_employed public_sector private_sector",
            funding_routes="dpc",
            price_cents=35000,
            hours=7,
        ),
        "telehealth": make_module("telesante", private, ["D5.C1.1"]),
        "draft": make_module("brouillon", private, ["D2.C2.1"], status=Module.Status.DRAFT),
    }
