"""The move of organisations out of accounts keeps an existing database's rows.

The test database is migrated back to the schema before the move (organisations tables
owned by accounts), filled through the historical models, and migrated forward again.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from palier.organisations.models import Organisation

# Migrations run outside a test transaction (SQLite cannot change its schema inside one).
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [
    ("accounts", "0005_pending_invitation_unique"),
    ("campaigns", "0001_initial"),
    ("training", "0002_confirmation_request"),
]


def migrate(targets):
    """Migrate to `targets`; the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill_the_old_schema(apps):
    user_model = apps.get_model("accounts", "User")
    admin = user_model.objects.create(email="admin@ifsi.example", password="!")
    member = user_model.objects.create(email="member@ifsi.example", password="!")
    organisation = apps.get_model("accounts", "Organisation").objects.create(
        name="IFSI du Parc", slug="ifsi-du-parc", type="health_institute", region="11"
    )
    membership_model = apps.get_model("accounts", "Membership")
    membership_model.objects.create(user=admin, organisation=organisation, role="admin")
    membership_model.objects.create(user=member, organisation=organisation, role="member")
    apps.get_model("accounts", "Invitation").objects.create(
        organisation=organisation, email="new@ifsi.example", role="member", invited_by=admin
    )
    apps.get_model("accounts", "OrganisationToken").objects.create(
        organisation=organisation, name="Scolarité", prefix="plr_abcdefgh", digest="d" * 64
    )
    apps.get_model("campaigns", "SharingStop").objects.create(
        user=member, organisation=organisation
    )
    apps.get_model("training", "Module").objects.create(
        code="rgpd-en-pratique",
        provider=organisation,
        title_fr="Le RGPD en pratique",
        summary_fr="Un module.",
        format="elearning",
        hours=Decimal("3.5"),
        enrol_url="https://formation.example/rgpd",
        target_level=2,
    )
    return organisation.pk


def test_organisations_keep_their_rows_and_links_when_they_move_out_of_accounts():
    content_type_id = ContentType.objects.get_for_model(Organisation).pk
    ContentType.objects.clear_cache()
    try:
        organisation_id = fill_the_old_schema(migrate(BEFORE_THE_MOVE))
        apps = migrate(latest())
    finally:
        migrate(latest())  # whatever happened, leave the schema the other tests expect
    ContentType.objects.clear_cache()

    organisation = apps.get_model("organisations", "Organisation").objects.get(pk=organisation_id)
    assert (organisation.name, organisation.slug, organisation.region) == (
        "IFSI du Parc",
        "ifsi-du-parc",
        "11",
    )
    roles = dict(organisation.memberships.values_list("user__email", "role"))
    assert roles == {"admin@ifsi.example": "admin", "member@ifsi.example": "member"}
    invitation = organisation.invitations.get()
    assert (invitation.email, invitation.invited_by.email) == (
        "new@ifsi.example",
        "admin@ifsi.example",
    )
    assert organisation.api_tokens.get().digest == "d" * 64
    assert organisation.modules.get().code == "rgpd-en-pratique"
    stop_model = apps.get_model("campaigns", "SharingStop")
    assert stop_model.objects.get().organisation_id == organisation_id
    # The content type (and so the permissions and admin history on it) followed the model.
    assert ContentType.objects.get(app_label="organisations", model="organisation").pk == (
        content_type_id
    )

    # The foreign keys of other tables reference the renamed table: a new row for the
    # moved organisation is accepted, one for a missing organisation refused.
    newcomer = apps.get_model("accounts", "User").objects.create(email="x@ifsi.example")
    stop_model.objects.create(user=newcomer, organisation=organisation)
    with pytest.raises(IntegrityError):
        stop_model.objects.create(user=newcomer, organisation_id=organisation_id + 1000)
    # New organisations keep numbering after the moved ones.
    later = apps.get_model("organisations", "Organisation").objects.create(
        name="Autre", slug="autre", type="university"
    )
    assert later.pk > organisation_id
