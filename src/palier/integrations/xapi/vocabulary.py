"""The words of Palier's statements: verbs from the ADL and xAPI registries, activity types,
and Palier's own activity and extension IRIs, all under the site's base URL so that they stay
stable for a given deployment (docs/integrations.md lists them).

Activity ids (BASE = PALIER_BASE_URL):
- BASE/xapi/activities/tests/positioning and BASE/xapi/activities/tests/certification
- BASE/xapi/activities/items/<item code>           (one question of the item bank)
- BASE/xapi/activities/modules/<module code>       (a training module)
- BASE/xapi/activities/certifications/<framework code>
Framework nodes are not given new ids: they are the framework's CASE identifiers
(frameworks/case.py) as `urn:uuid:` IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

XAPI_VERSION = "1.0.3"


@dataclass(frozen=True)
class Verb:
    iri: str
    display_fr: str
    display_en: str

    def as_json(self) -> dict:
        return {"id": self.iri, "display": {"fr-FR": self.display_fr, "en-US": self.display_en}}


# ADL vocabulary (http://adlnet.gov/expapi/verbs/), Activity Streams 1.0 and the registry
# of the xAPI community (id.tincanapi.com).
ATTEMPTED = Verb("http://adlnet.gov/expapi/verbs/attempted", "a commencé", "attempted")
ANSWERED = Verb("http://adlnet.gov/expapi/verbs/answered", "a répondu à", "answered")
COMPLETED = Verb("http://adlnet.gov/expapi/verbs/completed", "a terminé", "completed")
ADDED = Verb("http://activitystrea.ms/schema/1.0/add", "a ajouté à son plan", "added")
EARNED = Verb("http://id.tincanapi.com/verb/earned", "a obtenu", "earned")

VERBS = {verb.iri: verb for verb in (ATTEMPTED, ANSWERED, COMPLETED, ADDED, EARNED)}

# ADL activity types, and those of ADL's Total Learning Architecture profile for framework
# nodes and credentials.
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
QUESTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
COMPETENCY_TYPE = "https://w3id.org/xapi/tla/activity-types/competency"
CREDENTIAL_TYPE = "https://w3id.org/xapi/tla/activity-types/credential"


def _base() -> str:
    return f"{settings.BASE_URL}/xapi"


def activity_iri(kind: str, code: str) -> str:
    """The id of one of Palier's activities: `kind` is tests, items, modules or
    certifications."""
    return f"{_base()}/activities/{kind}/{code}"


def extension_iri(name: str) -> str:
    """The key of one of Palier's extensions (levels, item-version, case-framework...)."""
    return f"{_base()}/extensions/{name}"


def homepage() -> str:
    """The account home page of Palier's learners (their actor is a pseudonymous account)."""
    return settings.BASE_URL


def case_iri(identifier: str) -> str:
    """A CASE identifier (a UUID) as an IRI."""
    return f"urn:uuid:{identifier}"
