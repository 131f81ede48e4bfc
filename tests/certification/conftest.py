"""Exam-day fixtures shared by the certification tests: a bank with an estimated
calibration, an open session, an invigilator of it, and candidates already under way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palier.assessments.models import Attempt
from palier.certification import services
from palier.certification.models import Candidate, Session
from tests.assessments.conftest import right_answer, wrong_answer
from tests.certification.factories import estimated_bank, make_candidate, make_centre, make_session
from tests.factories import make_user

DEVICE = "device-one"


@pytest.fixture
def bank(framework):
    return estimated_bank(framework)


@pytest.fixture
def session(bank, framework):
    return make_session(make_centre(), framework)


@pytest.fixture
def invigilator(session):
    user = make_user(roles=("invigilator",))
    session.invigilators.add(user)
    return user


def started(session, invigilator, **fields) -> Candidate:
    """A candidate who joined, was authorised and started the test on DEVICE."""
    candidate = make_candidate(session, **fields)
    services.join_session(candidate.user, session.access_code, DEVICE)
    services.authorise(candidate, invigilator)
    services.start_test(candidate, DEVICE)
    candidate.refresh_from_db()
    return candidate


def answer_current(candidate: Candidate, right: bool = True):
    attempt = Attempt.objects.get(pk=candidate.attempt_id)
    version = attempt.current_version
    raw = right_answer(version) if right else wrong_answer(version)
    return services.answer(candidate, DEVICE, attempt.current_position, raw)


def supervision_url(name: str, session: Session, *args: int) -> str:
    """A page of the session's supervision or jury (URL names of `supervision:`)."""
    return reverse(f"supervision:{name}", args=[session.pk, *args])


def text(response) -> str:
    return response.content.decode()
