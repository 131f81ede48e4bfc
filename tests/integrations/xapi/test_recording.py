"""What Palier records, before anything is sent: one statement per event, valid, pseudonymous,
without the answer's text, with the framework's CASE identifiers; nothing when the
integration is off or the learner opted out."""

import json

import pytest
from django.urls import reverse

from palier.accounts.models import LearnerProfile
from palier.assessments.services import record_answer, start_attempt
from palier.certification.jury_services import issue_certificate
from palier.certification.models import JuryDecision
from palier.frameworks.case import case_identifier
from palier.integrations.xapi import services, vocabulary
from palier.integrations.xapi.models import Statement
from palier.integrations.xapi.validation import statement_errors
from palier.training.models import PlanEntry
from palier.training.services import add_to_plan, set_progress
from tests.assessments.conftest import right_answer
from tests.certification.factories import make_candidate, make_centre, make_session
from tests.factories import make_organisation, make_user
from tests.training.conftest import make_module

pytestmark = pytest.mark.django_db
UNUSED_ENDPOINT = "http://127.0.0.1:9/xAPI/"


@pytest.fixture
def xapi_on(settings):
    settings.PALIER_XAPI_ENDPOINT = UNUSED_ENDPOINT
    settings.BASE_URL = "https://palier.example.fr"


def verbs() -> list[str]:
    return [statement.verb for statement in Statement.objects.order_by("created_at", "pk")]


def test_nothing_is_recorded_while_no_lrs_is_configured(seeded, settings):
    settings.PALIER_XAPI_ENDPOINT = ""
    attempt = start_attempt(make_user(), ["D3"])
    record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
    assert Statement.objects.count() == 0


def test_a_question_answered_says_which_item_right_or_not_and_how_long_never_the_answer(
    seeded, xapi_on
):
    user = make_user("lea@example.org", first_name="Léa", last_name="Martin")
    attempt = start_attempt(user, ["D3"])
    version = attempt.current_version
    answer = right_answer(version)
    recorded = record_answer(attempt, attempt.current_position, answer)
    assert verbs()[:2] == [vocabulary.ATTEMPTED.iri, vocabulary.ANSWERED.iri]
    answered = Statement.objects.get(verb=vocabulary.ANSWERED.iri).payload
    assert answered["object"]["id"] == (
        f"https://palier.example.fr/xapi/activities/items/{version.item.code}"
    )
    assert answered["result"]["success"] is True
    assert answered["result"]["duration"].startswith("PT")
    assert "response" not in answered["result"]
    text = json.dumps(answered, ensure_ascii=False)
    assert json.dumps(recorded.response.raw_answer, ensure_ascii=False) not in text
    # Pseudonymous: the account's random pseudonym, never the e-mail or the name.
    assert answered["actor"]["account"]["name"] == str(user.pseudonym)
    assert "lea@example.org" not in text and "Martin" not in text
    # The item's capacity, competence and area as CASE identifiers of the test's framework.
    capacity = version.item.capacity
    others = {activity["id"] for activity in answered["context"]["contextActivities"]["other"]}
    assert f"urn:uuid:{case_identifier(attempt.framework, capacity.code)}" in others
    assert answered["context"]["registration"] == str(attempt.id)
    assert statement_errors(answered) == []


def test_a_finished_test_records_the_level_of_each_area_with_its_case_identifier(seeded, xapi_on):
    attempt = start_attempt(make_user(), ["D3"])
    for _ in range(60):
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
    attempt.refresh_from_db()
    completed = Statement.objects.get(verb=vocabulary.COMPLETED.iri).payload
    levels = completed["result"]["extensions"]["https://palier.example.fr/xapi/extensions/levels"]
    assert levels == {
        "D3": {
            "level": attempt.result["areas"]["D3"]["level"],
            "case_identifier": case_identifier(attempt.framework, "D3"),
        }
    }
    assert completed["result"]["completion"] is True
    assert Statement.objects.filter(status=Statement.Status.PENDING).count() == (
        attempt.responses.count() + 2
    )


def test_a_module_added_then_completed_and_a_certificate_make_three_statements(framework, xapi_on):
    user = make_user()
    module = make_module("secu-stage", make_organisation("Université"), ["D2.C4.1"])
    entry = add_to_plan(user, module=module)
    add_to_plan(user, module=module)  # already there: nothing new
    set_progress(entry, PlanEntry.Progress.COMPLETED)
    candidate = make_candidate(make_session(make_centre(), framework), user)
    decision = JuryDecision.objects.create(
        candidate=candidate,
        outcome=JuryDecision.Outcome.CERTIFIED,
        levels={"D1": {"level": 3, "probability": 0.93}},
        rule_version="test",
    )
    issue_certificate(candidate, decision)
    assert verbs() == [
        vocabulary.ADDED.iri,
        vocabulary.COMPLETED.iri,
        vocabulary.EARNED.iri,
    ]
    for statement in Statement.objects.all():
        assert statement_errors(statement.payload) == []
        assert statement.status == Statement.Status.PENDING
    earned = Statement.objects.get(verb=vocabulary.EARNED.iri).payload
    assert earned["object"]["id"].endswith(f"/xapi/activities/certifications/{framework.code}")
    assert candidate.certificate.code not in json.dumps(earned)


def test_an_opted_out_learner_has_nothing_recorded(framework, xapi_on):
    user = make_user()
    LearnerProfile.objects.update_or_create(user=user, defaults={"learning_records_opt_out": True})
    module = make_module("secu-stage", make_organisation("Université"), ["D2.C4.1"])
    add_to_plan(user, module=module)
    assert Statement.objects.count() == 0


def test_an_invalid_statement_is_kept_with_its_error_and_never_due(framework, xapi_on):
    user = make_user()
    statement = services.record_statement(
        user.pk,
        lambda: {
            "id": "6f1d3d0c-0b6e-4d59-9a52-6b1f3f0b7a11",
            "actor": {"objectType": "Agent"},  # no identifier
            "verb": {"id": "not an iri"},
            "object": {"id": "https://palier.example.fr/xapi/activities/tests/positioning"},
        },
    )
    assert statement.status == Statement.Status.INVALID
    assert "actor" in statement.error and "verb/id" in statement.error
    assert statement.next_try_at is None


def test_a_statement_that_cannot_be_built_never_fails_the_learners_action(framework, xapi_on):
    def broken() -> dict:
        raise AttributeError("a bug in a statement builder")

    assert services.record_statement(make_user().pk, broken) is None
    assert Statement.objects.count() == 0


def test_the_profile_form_lets_a_learner_opt_out(client, framework):
    user = make_user()
    client.force_login(user)
    page = client.get(reverse("accounts:profile"))
    html = page.content.decode()
    # The checkbox is described by its hint, which says what would be sent.
    assert 'aria-describedby="id_learning_records_opt_out-hint"' in html
    assert 'id="id_learning_records_opt_out-hint"' in html
    response = client.post(reverse("accounts:profile"), {"learning_records_opt_out": "on"})
    assert response.status_code == 302
    assert LearnerProfile.objects.get(user=user).learning_records_opt_out is True


def test_the_outbox_is_shown_to_administrators_only(client, framework, xapi_on):
    from palier.accounts.roles import Role

    user = make_user()
    add_to_plan(user, module=make_module("vu", make_organisation("Université"), ["D2.C4.1"]))
    url = reverse("admin:integrations_xapi_statement_changelist")
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,), is_staff=True))
    page = client.get(url)
    assert page.status_code == 200
    assert str(Statement.objects.get().pk) in page.content.decode()
    assert user.email not in page.content.decode()
    client.force_login(make_user(roles=(Role.AUTHOR,), is_staff=True))
    assert client.get(url).status_code == 403
