"""The claims mapping and its settings, without a provider (pure functions)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from palier.accounts.choices import LearnerStatus
from palier.integrations.oidc.checks import check_national_login
from palier.integrations.oidc.claims import (
    DEFAULT_PRACTICE_MODE_STATUSES,
    DEFAULT_PROFESSION_POPULATIONS,
    NATIONAL_CLAIM_PATHS,
    claim_at,
    map_profile,
)
from palier.integrations.oidc.config import national_provider


def test_a_dotted_path_walks_objects_and_lists():
    claims = {"a": [{"b": "x"}]}
    assert claim_at(claims, "a.0.b") == "x"
    assert claim_at(claims, "a.1.b") is None
    assert claim_at(claims, "a.b") is None
    assert claim_at(claims, "") is None


def test_an_unknown_status_in_the_settings_table_is_ignored():
    profile = map_profile(
        {
            "SubjectRefPro": {
                "exercices": [{"codeProfession": "10", "activities": [{"codeModeExercice": "L"}]}]
            }
        },
        paths=NATIONAL_CLAIM_PATHS,
        profession_populations=DEFAULT_PROFESSION_POPULATIONS,
        practice_mode_statuses={"L": "astronaut"},
    )
    assert profile.status == ""
    assert profile.population_code == "professionnels-en-exercice"


def test_without_professional_claims_the_provider_defaults_apply():
    profile = map_profile(
        {"email": "A@Example.org", "email_verified": "true"},
        paths=NATIONAL_CLAIM_PATHS,
        profession_populations=DEFAULT_PROFESSION_POPULATIONS,
        practice_mode_statuses=DEFAULT_PRACTICE_MODE_STATUSES,
        default_population="soins-infirmiers",
        default_status=LearnerStatus.STUDENT.value,
    )
    assert profile.email == "a@example.org"
    # Only a JSON true counts as verified.
    assert profile.email_verified is False
    assert (profile.population_code, profile.status) == ("soins-infirmiers", "student")


def test_claim_paths_and_tables_come_from_the_settings(settings):
    settings.PALIER_OIDC_ISSUER = "https://auth.example.test"
    settings.PALIER_OIDC_CLIENT_ID = "palier"
    settings.PALIER_OIDC_CLAIMS = '{"profession": "profession_code"}'
    settings.PALIER_OIDC_PROFESSION_POPULATIONS = '{"60": "soins-infirmiers"}'
    provider = national_provider()
    assert provider.claim_paths["profession"] == "profession_code"
    assert provider.claim_paths["given_name"] == "given_name"
    assert provider.profession_populations == {"60": "soins-infirmiers"}


def test_a_malformed_json_setting_is_reported_by_the_checks(settings):
    settings.PALIER_OIDC_ISSUER = "https://auth.example.test"
    settings.PALIER_OIDC_CLIENT_ID = "palier"
    settings.PALIER_OIDC_CLAIMS = "[1, 2"
    with pytest.raises(ImproperlyConfigured):
        national_provider()
    assert [error.id for error in check_national_login()] == ["palier.oidc.E001"]
