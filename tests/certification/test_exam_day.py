"""Exam day through the services: join, authorise, answer under the clock, alerts, end,
finalise, jury, publication; every refusal is a 4xx that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from palier.assessments.models import Attempt, Purpose, Response
from palier.certification import jury, jury_services, services
from palier.certification.errors import CertificationError
from palier.certification.models import Alert, Candidate, Incident, JuryDecision, Session
from tests.assessments.conftest import right_answer
from tests.certification.conftest import DEVICE, answer_current, started
from tests.certification.factories import make_candidate, make_centre, make_session
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def state(candidate: Candidate) -> tuple:
    candidate.refresh_from_db()
    attempt = Attempt.objects.get(pk=candidate.attempt_id) if candidate.attempt_id else None
    return (
        candidate.status,
        candidate.deadline,
        Response.objects.filter(attempt=attempt).count() if attempt else 0,
        attempt.current_position if attempt else None,
        attempt.current_version_id if attempt else None,
    )


def test_a_candidate_joins_waits_for_authorisation_then_takes_the_certification_test(
    session, invigilator
):
    candidate = make_candidate(session)
    joined = services.join_session(candidate.user, session.access_code.lower(), DEVICE)
    assert joined.status == Candidate.Status.PRESENT
    with pytest.raises(CertificationError) as refused:
        services.start_test(candidate, DEVICE)
    assert refused.value.code == "not_authorised"
    services.authorise(candidate, invigilator)
    attempt = services.start_test(candidate, DEVICE)
    assert attempt.purpose == Purpose.CERTIFICATION
    assert attempt.engine_settings.max_items == 32
    assert attempt.engine_settings.max_exposure_rate == 0.25
    assert not attempt.calibration.is_provisional
    assert services.start_test(candidate, DEVICE) == attempt  # idempotent
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.IN_PROGRESS
    assert 44 * 60 < services.time_left(candidate) <= 45 * 60
    for _ in range(32):
        answer_current(candidate, right=True)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.FINISHED
    decision = jury.latest_decision(candidate)
    assert decision.outcome == JuryDecision.Outcome.CERTIFIED
    assert set(decision.levels) == {"D1", "D2", "D3", "D4", "D5"}
    assert all(area["probability"] >= 0.9 for area in decision.levels.values() if area["level"])


def test_extra_time_lengthens_the_clock(session, invigilator):
    candidate = started(session, invigilator, extra_time_percent=33)
    assert services.time_left(candidate) > 59 * 60


def test_a_certification_session_refuses_a_provisional_calibration(framework):
    from tests.assessments.conftest import seed_bank

    seed_bank(framework)
    session = make_session(make_centre(), framework)
    candidate = make_candidate(session)
    services.join_session(candidate.user, session.access_code, DEVICE)
    services.authorise(candidate, make_user())
    with pytest.raises(CertificationError) as refused:
        services.start_test(candidate, DEVICE)
    assert refused.value.code == "provisional_calibration"
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize("problem", ["wrong_code", "not_enrolled", "closed", "finalised"])
def test_a_wrong_or_replayed_code_is_refused(session, framework, problem):
    candidate = make_candidate(session)
    user, code = candidate.user, session.access_code
    if problem == "wrong_code":
        code = "ABCD22" if code != "ABCD22" else "ABCD23"
    elif problem == "not_enrolled":
        user = make_user()
    elif problem in ("closed", "finalised"):
        session.status = (
            Session.Status.SCHEDULED if problem == "closed" else Session.Status.FINALISED
        )
        session.save()
    with pytest.raises(CertificationError) as refused:
        services.join_session(user, code, DEVICE)
    assert refused.value.status == 404
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.EXPECTED


def test_a_second_device_is_refused_while_the_first_is_active_until_the_invigilator_ends_it(
    session, invigilator
):
    candidate = started(session, invigilator)
    before = state(candidate)
    with pytest.raises(CertificationError) as refused:
        services.join_session(candidate.user, session.access_code, "device-two")
    assert refused.value.code == "other_device_active"
    with pytest.raises(CertificationError) as refused:
        attempt = Attempt.objects.get(pk=candidate.attempt_id)
        services.answer(candidate, "device-two", attempt.current_position, None)
    assert refused.value.code == "device_not_authorised"
    assert state(candidate) == before
    services.release_device(candidate, invigilator)
    services.join_session(candidate.user, session.access_code, "device-two")
    with pytest.raises(CertificationError) as refused:
        services.answer(candidate, "device-two", before[3], None)
    assert refused.value.code == "awaiting_authorisation"
    services.authorise(candidate, invigilator)
    services.answer(candidate, "device-two", before[3], None)
    assert state(candidate)[2] == 1


def test_a_late_answer_is_refused_and_changes_nothing(session, invigilator):
    candidate = started(session, invigilator)
    answer_current(candidate)
    Candidate.objects.filter(pk=candidate.pk).update(
        deadline=timezone.now() - dt.timedelta(seconds=30)
    )
    before = state(candidate)
    with pytest.raises(CertificationError) as refused:
        answer_current(candidate)
    assert (refused.value.status, refused.value.code) == (409, "time_up")
    assert state(candidate) == before
    services.expire(candidate)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.FINISHED
    assert Attempt.objects.get(pk=candidate.attempt_id).stop_reason == "time_limit"
    assert jury.latest_decision(candidate).outcome == JuryDecision.Outcome.REJECTED


def test_an_answer_after_the_end_or_for_another_session_is_refused(session, invigilator, framework):
    candidate = started(session, invigilator)
    services.end_test(candidate, invigilator)
    before = state(candidate)
    with pytest.raises(CertificationError) as refused:
        services.answer(candidate, DEVICE, before[3], None)
    assert refused.value.code == "attempt_finished"
    other = make_session(make_centre(), framework)
    elsewhere = make_candidate(other, user=candidate.user)
    with pytest.raises(CertificationError) as refused:
        services.answer(elsewhere, DEVICE, before[3], None)
    assert refused.value.status == 409
    assert state(candidate) == before


def test_an_answer_replayed_with_its_id_is_stored_once(session, invigilator):
    import uuid

    candidate = started(session, invigilator)
    attempt = Attempt.objects.get(pk=candidate.attempt_id)
    answer_id = uuid.uuid4()
    raw = right_answer(attempt.current_version)
    first = services.answer(candidate, DEVICE, 1, raw, answer_id)
    again = services.answer(candidate, DEVICE, 1, raw, answer_id)
    assert again.replayed and again.response.pk == first.response.pk
    assert Response.objects.filter(attempt=attempt).count() == 1


def test_an_alert_freezes_the_question_until_validated_then_another_of_its_area_replaces_it(
    session, invigilator
):
    candidate = started(session, invigilator)
    answer_current(candidate)
    attempt = Attempt.objects.get(pk=candidate.attempt_id)
    frozen = attempt.current_version
    alert = services.raise_alert(candidate, DEVICE, "L'image ne s'affiche pas")
    assert services.raise_alert(candidate, DEVICE) == alert
    before = state(candidate)
    with pytest.raises(CertificationError) as refused:
        answer_current(candidate)
    assert refused.value.code == "question_frozen"
    assert state(candidate) == before
    services.validate_alert(alert, invigilator)
    attempt.refresh_from_db()
    assert attempt.current_position == before[3]
    assert attempt.current_version_id != frozen.pk
    assert str(frozen.pk) in attempt.excluded_items
    area = frozen.capacity.competence.area_id
    assert attempt.current_version.capacity.competence.area_id == area
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.VALIDATED
    with pytest.raises(CertificationError):
        services.dismiss_alert(alert, invigilator)
    answer_current(candidate)
    assert Response.objects.filter(attempt=attempt).count() == 2


def test_a_dismissed_alert_keeps_the_question_and_gives_the_time_back(session, invigilator):
    candidate = started(session, invigilator)
    attempt = Attempt.objects.get(pk=candidate.attempt_id)
    deadline = candidate.deadline
    alert = services.raise_alert(candidate, DEVICE)
    Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=2))
    services.dismiss_alert(alert, invigilator)
    candidate.refresh_from_db()
    assert candidate.deadline - deadline >= dt.timedelta(minutes=2)
    assert Attempt.objects.get(pk=attempt.pk).current_version_id == attempt.current_version_id


def test_jury_rules(session, invigilator):
    short = started(session, invigilator)
    for _ in range(3):
        answer_current(short)
    services.add_incident(session, invigilator, Incident.Category.TECHNICAL, "Coupure", short)
    services.end_test(short, invigilator)
    latest = jury.latest_decision(short)
    assert (latest.outcome, latest.reasons) == (
        JuryDecision.Outcome.TO_REVIEW,
        ["short_test_technical_incident"],
    )
    fraud = started(session, invigilator)
    for _ in range(32):
        answer_current(fraud)
    assert jury.latest_decision(fraud).outcome == JuryDecision.Outcome.CERTIFIED
    services.add_incident(session, invigilator, Incident.Category.FRAUD, "Téléphone", fraud)
    assert jury.latest_decision(fraud).outcome == JuryDecision.Outcome.TO_REVIEW
    with pytest.raises(CertificationError) as refused:
        jury_services.review(fraud, invigilator, JuryDecision.Outcome.CERTIFIED, "Vérifié")
    assert refused.value.status == 403
    admin = make_user(roles=("administrator",))
    with pytest.raises(CertificationError):
        jury_services.review(fraud, admin, JuryDecision.Outcome.CERTIFIED, "  ")
    decision = jury_services.review(fraud, admin, JuryDecision.Outcome.CERTIFIED, "Vidéo vérifiée")
    assert decision.decided_by == admin and decision.outcome == JuryDecision.Outcome.CERTIFIED
    assert jury.latest_decision(fraud) == decision


def test_finalise_then_publish_issues_certificates(session, invigilator):
    candidate = started(session, invigilator)
    absent = make_candidate(session)
    with pytest.raises(CertificationError) as refused:
        services.finalise_session(session, invigilator, {candidate.pk}, "RAS")
    assert refused.value.code == "tests_running"
    for _ in range(32):
        answer_current(candidate)
    with pytest.raises(CertificationError) as refused:
        services.finalise_session(session, invigilator, {candidate.pk}, " ")
    assert refused.value.status == 422
    with pytest.raises(CertificationError):
        jury_services.publish_results(session, invigilator)
    services.finalise_session(session, invigilator, {candidate.pk}, "Session sans incident.")
    session.refresh_from_db()
    assert session.status == Session.Status.FINALISED
    absent.refresh_from_db()
    assert absent.status == Candidate.Status.ABSENT
    with pytest.raises(CertificationError):
        services.add_incident(session, invigilator, Incident.Category.OTHER, "Trop tard")
    assert jury_services.publish_results(session, invigilator) == 1
    assert jury_services.publish_results(session, invigilator) == 0
    candidate.refresh_from_db()
    certificate = candidate.certificate
    assert certificate.code.startswith("P-") and len(certificate.code) == 10
    assert certificate.levels == jury.latest_decision(candidate).levels
    admin = make_user(roles=("administrator",))
    jury_services.revoke_certificate(certificate, admin, "Fraude établie après coup")
    certificate.refresh_from_db()
    assert certificate.is_revoked


def test_a_certification_attempt_is_rescored_like_a_positioning_one(session, invigilator, capsys):
    candidate = started(session, invigilator)
    for _ in range(32):
        answer_current(candidate, right=len(capsys.readouterr().out) % 2 == 0)
    call_command("rescore", str(candidate.attempt_id))
    assert "match" in capsys.readouterr().out.lower()


def test_the_positioning_pages_do_not_reach_a_certification_attempt(session, invigilator, client):
    candidate = started(session, invigilator)
    client.force_login(candidate.user)
    assert client.get(f"/positionnement/{candidate.attempt_id}/").status_code == 404
    response = client.post(
        f"/api/v1/assessments/{candidate.attempt_id}/answers",
        {"position": 1, "response": None},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_exposure_rates_count_the_questions_on_screen_of_tests_in_progress(session, invigilator):
    from palier.assessments.services import certification_exposure_rates

    first = started(session, invigilator)
    answer_current(first)
    attempt = Attempt.objects.get(pk=first.attempt_id)
    rates = certification_exposure_rates(attempt.calibration)
    answered = Response.objects.get(attempt=attempt).item_version_id
    assert rates == {str(answered): 1.0, str(attempt.current_version_id): 1.0}
    second = started(session, invigilator)
    rates = certification_exposure_rates(attempt.calibration)
    assert all(0 < rate <= 1 for rate in rates.values())
    assert rates[str(answered)] in (0.5, 1.0)
    assert Attempt.objects.get(pk=second.attempt_id).exposure_rates  # stored with the attempt
