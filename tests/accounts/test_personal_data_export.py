""" "Télécharger toutes mes données" covers everything stored about the person (GDPR art. 15
and 20): every model that points to a user is in some app's export, and a learner with a
finished test, a plan, a campaign and a problem report gets all of it."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from palier.accounts.personal_data import covered_models
from palier.campaigns import services as campaign_services
from palier.items.services import report_problem
from palier.training.services import add_to_plan
from tests.assessments.conftest import seeded  # noqa: F401  (fixture)
from tests.campaigns.conftest import make_campaign  # noqa: F401  (fixture)
from tests.campaigns.test_services import finish
from tests.factories import make_organisation, make_user
from tests.training.conftest import make_module

# Models that point to a user but are not exported, and why. Keep this list short: a model
# holding a person's data belongs in their app's personal_data.py instead.
NOT_PERSONAL_DATA = {
    # Django's admin history: what staff did to other people's records. Each row names the
    # record changed (often another person), so exporting it would disclose third parties'
    # data; it is an audit trail of staff actions, kept for accountability.
    "admin.LogEntry",
    # A learner list a staff member checked in a dry run, kept 30 minutes so that they can
    # confirm it without choosing the file again: its rows are other people's data (the
    # learners listed), the user is only its uploader, and it is deleted once imported.
    "campaigns.PendingImport",
}


def models_pointing_to_the_user() -> set[str]:
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            relation = isinstance(field, models.ForeignKey | models.ManyToManyField)
            if relation and field.concrete and field.related_model is user_model:
                found.add(model._meta.label)
    return found


def test_every_model_that_points_to_a_user_is_in_the_export():
    missing = models_pointing_to_the_user() - covered_models() - NOT_PERSONAL_DATA
    assert not missing, (
        f"{sorted(missing)} hold data about a user but no personal_data.py exports them: "
        "register them in their app's provider (or explain in NOT_PERSONAL_DATA why not)."
    )


def test_the_allow_list_names_only_models_that_exist_and_are_not_exported():
    known = {model._meta.label for model in apps.get_models()}
    assert known >= NOT_PERSONAL_DATA
    assert not NOT_PERSONAL_DATA & covered_models()


@pytest.mark.django_db
def test_a_learner_gets_their_test_answers_result_plan_campaign_and_reports(
    client,
    seeded,  # noqa: F811
    make_campaign,  # noqa: F811
):
    campaign = make_campaign(areas=["D2"])  # one area: a short test
    learner = make_user("ines@example.org")
    participation = campaign_services.join_campaign(learner, campaign, external_id="E-42")
    attempt = finish(campaign_services.start_campaign_test(participation))
    campaign_services.share(campaign_services.join_campaign(learner, campaign))
    first_answer = attempt.responses.order_by("position").first()
    report_problem(learner, first_answer.item_version, "unclear", "La consigne est ambiguë.")
    provider = make_organisation("Organisme Test", slug="organisme-test")
    add_to_plan(learner, module=make_module("cyber-1", provider, ["D2.C4.1"]))

    client.force_login(learner)
    data = json.loads(client.get(reverse("accounts:my_data")).content)

    [test] = data["assessments"]["tests"]
    assert test["id"] == str(attempt.pk) and test["status"] == "finished"
    assert test["result"]["areas"].keys() == attempt.result["areas"].keys()
    assert len(test["answers"]) == attempt.responses.count()
    assert test["answers"][0]["question"] == first_answer.item_version.item.code
    assert test["answers"][0]["answer"] == first_answer.raw_answer
    [entry] = data["training_plan"]
    assert entry["module"] == "cyber-1" and entry["progress"] == "planned"
    [joined] = data["campaigns"]
    assert joined["external_id"] == "E-42" and joined["status"] == "shared"
    assert joined["shared_result"]["areas"]
    [report] = data["items"]["problem_reports"]
    assert report["comment"] == "La consigne est ambiguë."
    assert data["organisations"]["memberships"] == []


@pytest.mark.django_db
def test_invitations_received_at_the_address_and_sent_are_exported(client, org, org_admin):
    from palier.organisations.models import Invitation

    Invitation.objects.create(organisation=org, email="Nora@Example.org", invited_by=org_admin)
    invitee = make_user("nora@example.org")
    client.force_login(invitee)
    received = json.loads(client.get(reverse("accounts:my_data")).content)
    assert received["organisations"]["invitations_received"][0]["organisation"] == org.name
    client.force_login(org_admin)
    sent = json.loads(client.get(reverse("accounts:my_data")).content)
    assert sent["organisations"]["invitations_sent"][0]["email"] == "Nora@Example.org"
