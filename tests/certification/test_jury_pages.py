"""The jury and publication page through the real endpoints: who reads it and who decides,
decisions in words with the certified levels, reviews, publication and revocation."""

from __future__ import annotations

import pytest

from palier.certification import jury, services
from palier.certification.models import Candidate, Certificate, Incident, JuryDecision
from palier.organisations.choices import MembershipRole
from tests.certification.conftest import answer_current, started, text
from tests.certification.conftest import supervision_url as url
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sat(session, invigilator) -> tuple[Candidate, Candidate]:
    """Two candidates whose tests are over: one certified, one stopped short after a
    technical incident (to be reviewed)."""
    certified = started(session, invigilator, user=make_user(first_name="Léa", last_name="Blanc"))
    for _ in range(32):
        answer_current(certified)
    short = started(session, invigilator, user=make_user(first_name="Marc", last_name="Roux"))
    for _ in range(3):
        answer_current(short)
    services.add_incident(session, invigilator, Incident.Category.TECHNICAL, "Coupure", short)
    services.end_test(short, invigilator)
    return certified, short


@pytest.fixture
def centre_admin(session):
    return make_member(session.centre.organisation, MembershipRole.ADMIN)


def finalise(session, invigilator, *candidates) -> None:
    services.finalise_session(session, invigilator, {c.pk for c in candidates}, "RAS")


def test_staff_and_administrators_read_the_page_and_others_get_404(
    client, session, invigilator, sat, outsider
):
    member = make_member(session.centre.organisation, MembershipRole.MEMBER)
    for reader in (member, make_user(roles=("administrator",))):
        client.force_login(reader)
        assert client.get(url("jury", session)).status_code == 200
    for stranger in (outsider, invigilator):
        client.force_login(stranger)
        assert client.get(url("jury", session)).status_code == 404
        assert client.post(url("publish", session)).status_code == 404
    # Members read but do not decide.
    _certified, short = sat
    client.force_login(member)
    data = {f"review-{short.pk}-outcome": "certified", f"review-{short.pk}-comment": "Vu"}
    assert client.post(url("review", session, short.pk), data).status_code == 403
    assert client.post(url("publish", session)).status_code == 403
    assert jury.latest_decision(short).decided_by is None


def test_the_page_shows_each_decision_in_words_with_the_certified_levels(
    client, session, sat, centre_admin
):
    client.force_login(centre_admin)
    page = text(client.get(url("jury", session)))
    assert "Léa Blanc" in page and "Marc Roux" in page
    assert "Certifié" in page and "À examiner" in page
    assert "Moins de 20 réponses, avec un incident technique noté" in page
    assert "Coupure" in page
    certified, _short = sat
    levels = jury.latest_decision(certified).levels
    area = next(code for code, level in levels.items() if level["level"])
    assert f"Niveau {levels[area]['level']} " in page
    assert f"({int(levels[area]['probability'] * 100)} %)" in page
    assert "Publier les résultats" not in page  # not finalised yet


def test_a_review_needs_a_reason_then_records_a_new_decision(client, session, sat, centre_admin):
    _certified, short = sat
    client.force_login(centre_admin)
    prefix = f"review-{short.pk}"
    refused = client.post(
        url("review", session, short.pk), {f"{prefix}-outcome": "rejected", f"{prefix}-comment": ""}
    )
    assert refused.status_code == 400
    assert 'id="form-errors"' in text(refused)
    assert jury.latest_decision(short).outcome == JuryDecision.Outcome.TO_REVIEW
    bad = client.post(
        url("review", session, short.pk), {f"{prefix}-outcome": "maybe", f"{prefix}-comment": "?"}
    )
    assert bad.status_code == 400
    done = client.post(
        url("review", session, short.pk),
        {f"{prefix}-outcome": "rejected", f"{prefix}-comment": "Trop peu de réponses"},
    )
    assert done.status_code == 302
    decision = jury.latest_decision(short)
    assert (decision.outcome, decision.decided_by, decision.comment) == (
        JuryDecision.Outcome.REJECTED,
        centre_admin,
        "Trop peu de réponses",
    )


def test_publication_after_finalisation_then_revocation_with_a_reason(
    client, session, invigilator, sat, centre_admin
):
    certified, short = sat
    client.force_login(centre_admin)
    early = client.post(url("publish", session), follow=True)
    assert "Clôturez la session avant de publier." in text(early)
    assert Candidate.objects.filter(published_at__isnull=False).count() == 0
    finalise(session, invigilator, certified, short)
    published = client.post(url("publish", session), follow=True)
    assert "1 résultat publié. 1 résultat attend encore un examen." in text(published)
    certificate = Certificate.objects.get(candidate=certified)
    short.refresh_from_db()
    assert short.published_at is None
    prefix = f"revoke-{certified.pk}"
    refused = client.post(url("revoke", session, certified.pk), {f"{prefix}-reason": " "})
    assert refused.status_code == 400
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert client.post(url("revoke", session, short.pk), {f"{prefix}-reason": "x"}).status_code == (
        404
    )
    client.post(url("revoke", session, certified.pk), {f"{prefix}-reason": "Fraude établie"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revocation_reason == "Fraude établie"
    assert "révoqué le" in text(client.get(url("jury", session)))
