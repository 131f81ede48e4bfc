"""From a provider's claims to a Palier profile: names, e-mail, population and status.

Each profile field is read at a dotted path in the claims (ID token claims merged with the
userinfo answer). The national login's defaults follow the claims Pro Santé Connect returns
in its userinfo answer: `SubjectNameID` (the national professional identifier, RPPS- or
ADELI-based), and under `SubjectRefPro.exercices[0]` the profession code (`codeProfession`),
the professional category (`codeCategorieProfessionnelle`), the specialty
(`codeSavoirFaire`) and, per activity, the practice mode (`codeModeExercice`). Every path and
both code tables are configurable (PALIER_OIDC_CLAIMS, PALIER_OIDC_PROFESSION_POPULATIONS,
PALIER_OIDC_PRACTICE_MODE_STATUSES): the provider's documentation has the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from palier.accounts.choices import LearnerStatus

# Standard OpenID Connect claims: what an institution's provider sends.
STANDARD_CLAIM_PATHS: dict[str, str] = {
    "email": "email",
    "email_verified": "email_verified",
    "given_name": "given_name",
    "family_name": "family_name",
}

# The national professional login: standard names plus the professional claims.
NATIONAL_CLAIM_PATHS: dict[str, str] = {
    **STANDARD_CLAIM_PATHS,
    "national_id": "SubjectNameID",
    "profession": "SubjectRefPro.exercices.0.codeProfession",
    "category": "SubjectRefPro.exercices.0.codeCategorieProfessionnelle",
    "specialty": "SubjectRefPro.exercices.0.codeSavoirFaire",
    "practice_mode": "SubjectRefPro.exercices.0.activities.0.codeModeExercice",
}

# Professional category of a person still in training ("E", étudiant) in the national
# nomenclature; "C" (civil) and "M" (military) are practising professionals.
STUDENT_CATEGORIES = frozenset({"E"})

# Students' curriculum from their profession code (the national health-profession
# nomenclature); codes without a Palier curriculum leave the population for the learner to
# choose. Practising professionals get the continuing-education population.
DEFAULT_PROFESSION_POPULATIONS: dict[str, str] = {
    "10": "medecine",
    "21": "pharmacie",
    "26": "audioprothesiste",
    "40": "odontologie",
    "50": "maieutique",
    "60": "soins-infirmiers",
    "70": "masso-kinesitherapie",
    "80": "pedicurie-podologie",
    "91": "orthophonie",
    "92": "orthoptie",
    "94": "ergotherapie",
    "98": "manipulateur-electroradiologie-de",
}
PRACTISING_POPULATION = "professionnels-en-exercice"

# Practice mode to status: "L" (libéral) is self-employed. Salaried modes do not say whether
# the employer is public or private, so they leave the status for the learner to choose.
DEFAULT_PRACTICE_MODE_STATUSES: dict[str, str] = {"L": LearnerStatus.SELF_EMPLOYED.value}


@dataclass(frozen=True)
class MappedProfile:
    """What Palier takes from the claims. Empty strings where the claims say nothing."""

    email: str
    email_verified: bool
    first_name: str
    last_name: str
    population_code: str
    status: str
    profession: str = ""
    specialty: str = ""


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("a.0.b": key a, first element, key b), None if absent."""
    if not path:
        return None
    value: Any = claims
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _text(claims: Mapping[str, Any], paths: Mapping[str, str], field: str) -> str:
    value = claim_at(claims, paths.get(field, ""))
    return value.strip() if isinstance(value, str) else ""


def map_profile(
    claims: Mapping[str, Any],
    *,
    paths: Mapping[str, str],
    profession_populations: Mapping[str, str],
    practice_mode_statuses: Mapping[str, str],
    default_population: str = "",
    default_status: str = "",
) -> MappedProfile:
    """Read the profile fields from the claims (see the module docstring).

    A student (category E) gets the curriculum of their profession and the student status; a
    practising professional gets the continuing-education population and the status of their
    practice mode; an institution's students get the provider's defaults."""
    profession = _text(claims, paths, "profession")
    category = _text(claims, paths, "category")
    population, status = default_population, default_status
    if profession:
        if category in STUDENT_CATEGORIES:
            population = profession_populations.get(profession, "")
            status = LearnerStatus.STUDENT.value
        else:
            population = PRACTISING_POPULATION
            status = practice_mode_statuses.get(_text(claims, paths, "practice_mode"), "")
    if status not in LearnerStatus.values:
        status = ""
    # A provider that says nothing about verification is trusted only when it is asked to be
    # (email_verified absent counts as not verified).
    verified = claim_at(claims, paths.get("email_verified", "")) is True
    return MappedProfile(
        email=_text(claims, paths, "email").lower(),
        email_verified=verified,
        first_name=_text(claims, paths, "given_name"),
        last_name=_text(claims, paths, "family_name"),
        population_code=population,
        status=status,
        profession=profession,
        specialty=_text(claims, paths, "specialty"),
    )
