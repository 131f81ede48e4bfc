"""Removing the demo also removes what the apps above the organisations attach to it: a
demo award (which protects its awardee) and demo candidacies with their certificates
(which protect their accounts)."""

import pytest
from django.core.management import call_command

from palier.accounts.demo import DEMO_DOMAIN
from palier.accounts.models import User
from palier.certification.models import Candidate, Certificate
from palier.organisations.models import Organisation
from palier.steering.models import Award
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_organisation, make_user
from tests.steering.support import make_award

pytestmark = pytest.mark.django_db


def test_demo_awards_and_certificates_go_with_the_demo_accounts(framework):
    demo = make_organisation(slug="demo-ifsi-rive-gauche", is_demo=True)
    make_award(demo, code="demo-projet", is_demo=True)
    session = make_session(make_centre(demo), framework)
    make_certificate(make_candidate(session, make_user(f"candidat@{DEMO_DOMAIN}")))
    real = make_organisation(slug="ifsi-du-parc")
    make_user("nora@example.org")

    call_command("remove_demo_accounts", verbosity=0)

    assert list(User.objects.values_list("email", flat=True)) == ["nora@example.org"]
    assert list(Organisation.objects.values_list("pk", flat=True)) == [real.pk]
    assert not Award.objects.exists()
    assert not Candidate.objects.exists() and not Certificate.objects.exists()
