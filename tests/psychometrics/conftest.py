"""A small bank with known parameters, and simulated answers stored through the ORM.

Two areas (D1, D2) of the seeded framework, ten operational items each: enough anchors for
Stocking-Lord (at least five per area). Answers are drawn from the 2PL with a fixed seed and
stored as finished attempts with bulk_create, as a real collection would have left them.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.accounts.roles import Role
from palier.assessments.models import Attempt, Response
from palier.assessments.services import current_settings
from palier.frameworks.models import Capacity, Framework
from palier.items.calibrations import activate_calibration
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from tests.factories import make_user

AREAS = ("D1", "D2")
ITEMS_PER_AREA = 10
WHEN = timezone.make_aware(datetime.datetime(2026, 10, 15, 12, 0))


@dataclass
class Bank:
    framework: Framework
    reference: Calibration
    # ItemVersion id -> (area code, a, b): the reference (= true) parameters.
    truth: dict[int, tuple[str, float, float]] = field(default_factory=dict)
    pretest: dict[int, tuple[str, float, float]] = field(default_factory=dict)

    @property
    def operational_ids(self) -> list[int]:
        return sorted(self.truth)


def _item(code: str, capacity: Capacity, status: str) -> ItemVersion:
    item = Item.objects.create(code=code, capacity=capacity, intended_level=3, status=status)
    return ItemVersion.objects.create(
        item=item,
        number=1,
        format="single_choice",
        capacity=capacity,
        intended_level=3,
        stem_fr=f"Question {code}",
        definition={"options": [{"id": "a"}, {"id": "b"}], "correct": "a"},
    )


def make_bank(framework: Framework, seed: int = 7, pretest_per_area: int = 0) -> Bank:
    """Operational items with 2PL parameters drawn once (a lognormal around 1.2, b normal),
    stored as the active calibration; pretest items get provisional parameters in it."""
    rng = np.random.default_rng(seed)
    reference = Calibration.objects.create(
        framework=framework, source=Calibration.Source.ESTIMATED, name="Référence"
    )
    bank = Bank(framework, reference)
    rows = []
    for area in AREAS:
        capacity = Capacity.objects.filter(
            competence__area__framework=framework, competence__area__code=area
        ).order_by("code")[0]
        for number in range(ITEMS_PER_AREA + pretest_per_area):
            is_pretest = number >= ITEMS_PER_AREA
            version = _item(
                f"{area}-{'P' if is_pretest else 'O'}{number:02d}",
                capacity,
                Item.Status.PRETEST if is_pretest else Item.Status.OPERATIONAL,
            )
            a = float(np.round(np.exp(rng.normal(np.log(1.2), 0.25)), 4))
            b = float(np.round(rng.normal(0.0, 1.0), 4))
            (bank.pretest if is_pretest else bank.truth)[version.pk] = (area, a, b)
            # Pretest items enter the reference with provisional values (a = 1, b = 0).
            rows.append(
                ItemParameter(
                    calibration=reference,
                    item_version=version,
                    discrimination=1.0 if is_pretest else a,
                    difficulty=0.0 if is_pretest else b,
                )
            )
    ItemParameter.objects.bulk_create(rows)
    activate_calibration(reference)
    return bank


def store_attempts(
    bank: Bank,
    thetas: np.ndarray,
    rng: np.random.Generator,
    *,
    parameters: dict[int, tuple[str, float, float]] | None = None,
    population=None,
    language: str = "fr",
    status: str = "",
    finished_at: datetime.datetime = WHEN,
    synthetic: bool = False,
    attempt_status: str = Attempt.Status.FINISHED,
    answered: float = 1.0,
) -> list[Attempt]:
    """One finished attempt per row of ``thetas`` (columns: AREAS), answering every item of
    ``parameters`` (default: operational and pretest items, with their true values), each
    with probability ``answered``; answers drawn from the 2PL."""
    items = parameters or {**bank.truth, **bank.pretest}
    settings = current_settings()
    users = User.objects.bulk_create(
        User(email=f"sim-{uuid.uuid4().hex}@example.org", password="!") for _ in thetas
    )
    LearnerProfile.objects.bulk_create(
        LearnerProfile(user=user, population=population, status=status) for user in users
    )
    attempts = Attempt.objects.bulk_create(
        Attempt(
            user=user,
            framework=bank.framework,
            calibration=bank.reference,
            engine_settings=settings,
            areas=list(AREAS),
            language=language,
            seed=index,
            status=attempt_status,
            finished_at=finished_at if attempt_status == Attempt.Status.FINISHED else None,
            synthetic=synthetic,
        )
        for index, user in enumerate(users)
    )
    responses = []
    for attempt, theta in zip(attempts, thetas, strict=True):
        position = 0
        for version_id, (area, a, b) in sorted(items.items()):
            if rng.random() >= answered:
                continue
            position += 1
            p = 1 / (1 + np.exp(-a * (theta[AREAS.index(area)] - b)))
            correct = bool(rng.random() < p)
            responses.append(
                Response(
                    attempt=attempt,
                    position=position,
                    item_version_id=version_id,
                    correct=correct,
                    credit=float(correct),
                    shown_at=finished_at,
                    answered_at=finished_at,
                    pretest=version_id in bank.pretest,
                    discrimination=1.0,
                    difficulty=0.0,
                    theta={},
                    se={},
                )
            )
    Response.objects.bulk_create(responses, batch_size=5000)
    return attempts


def abilities(rng: np.random.Generator, n: int, mean=0.0, sd=1.0, r=0.6) -> np.ndarray:
    covariance = sd * sd * np.array([[1.0, r], [r, 1.0]])
    return rng.multivariate_normal(np.full(2, mean), covariance, size=n)


@pytest.fixture
def psychometrician(db):
    return make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture
def bank(framework):
    return make_bank(framework)


@pytest.fixture
def pretest_bank(framework):
    return make_bank(framework, pretest_per_area=2)
