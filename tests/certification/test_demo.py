"""The demo certification of `make run`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from palier.accounts.demo import load_demo_accounts
from palier.certification.demo import DEMO_CANDIDATE, load_demo_certification
from palier.certification.models import Candidate, Certificate, Session
from palier.organisations.demo import load_demo_organisation
from tests.assessments.conftest import seed_bank
from tests.certification.factories import estimated_bank

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_past_session_with_certificates_and_a_session_open_today(framework):
    estimated_bank(framework)
    load_demo_accounts()
    load_demo_organisation()
    demo = load_demo_certification()
    past = Session.objects.get(status=Session.Status.FINALISED)
    assert past.candidates.filter(published_at__isnull=False).count() == 4
    certificates = Certificate.objects.filter(candidate__session=past)
    assert certificates.count() >= 2
    assert certificates.filter(revoked_at__isnull=False).count() == 1
    today = Session.objects.get(status=Session.Status.OPEN)
    assert today.access_code == demo.open_code
    assert Candidate.objects.filter(session=today, user__email=DEMO_CANDIDATE).exists()
    assert today.invigilators.filter(email__startswith="surveillance@").exists()
    again = load_demo_certification()
    assert not again.created and again.open_code == demo.open_code
    assert Session.objects.count() == 2


def test_without_an_estimated_calibration_the_command_says_why(framework, settings):
    settings.DEBUG = True
    seed_bank(framework)
    with pytest.raises(CommandError, match="provisoires"):
        call_command("demo_certification")
    assert not Session.objects.exists()
