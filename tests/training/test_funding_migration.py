"""The DPC-eligible flag of existing modules becomes their DPC funding route (migration
training/0005_funding_routes), and back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.organisations.test_migrations import latest, migrate

# Migrations run outside a test transaction (SQLite cannot change its schema inside one).
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("training", "0004_translated_field_labels")]


def test_dpc_eligible_modules_declare_the_dpc_route_after_the_migration():
    try:
        apps = migrate(BEFORE)
        provider = apps.get_model("organisations", "Organisation").objects.create(
            name="Formation Test", slug="formation-test", type="continuing_education"
        )
        for code, eligible in (("dpc-ancien", True), ("payant-ancien", False)):
            apps.get_model("training", "Module").objects.create(
                code=code,
                provider=provider,
                title_fr=code,
                summary_fr="Un module.",
                format="elearning",
                hours=Decimal(3),
                language="fr",
                price_cents=9000,
                cpd_eligible=eligible,
                enrol_url="https://formation.example/x",
                target_level=2,
            )
        apps = migrate(latest())
        routes = dict(
            apps.get_model("training", "Module").objects.values_list("code", "funding_routes")
        )
        assert routes == {"dpc-ancien": "dpc", "payant-ancien": ""}
        apps = migrate(BEFORE)
        eligible = dict(
            apps.get_model("training", "Module").objects.values_list("code", "cpd_eligible")
        )
        assert eligible == {"dpc-ancien": True, "payant-ancien": False}
    finally:
        migrate(latest())  # whatever happened, leave the schema the other tests expect
