"""Framework proposals: anyone signed in proposes (the competence must be of the area),
sees their proposals and the answer; steering answers without ever seeing the author and
links an accepted proposal to a framework version; funders only read."""

import pytest
from django.urls import reverse

from palier.frameworks.models import Area, Competence, Framework
from palier.steering import proposal_services
from palier.steering.feedback_services import FeedbackError
from palier.steering.models import FrameworkProposal
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PROPOSE = reverse("steering_feedback:propose")
QUEUE = reverse("steering_feedback:proposals")


def detail(proposal):
    return reverse("steering_feedback:proposal", args=[proposal.pk])


@pytest.fixture
def author(client, framework):
    user = make_user(first_name="Bérénice", last_name="Castellane")
    client.force_login(user)
    return user


def proposal_data(framework, area="D2", competence=None):
    area_row = Area.objects.get(framework=framework, code=area)
    data = {
        "area": area_row.pk,
        "proposal": "Ajouter la double authentification sur les messageries.",
        "rationale": "Je suis Bérénice Castellane, RPPS 10003456789, et je le vois au quotidien.",
    }
    if competence:
        data["competence"] = Competence.objects.get(area__framework=framework, code=competence).pk
    return data


@pytest.fixture
def proposal(client, author, framework):
    client.post(PROPOSE, proposal_data(framework, competence="D2.C2"))
    return FrameworkProposal.objects.get()


@pytest.fixture
def draft(framework):
    return Framework.objects.create(
        code=framework.code, version="2027-draft", title_fr="Référentiel 2027", status="draft"
    )


def test_a_signed_in_user_proposes_and_sees_the_proposal(client, author, framework):
    assert client.get(PROPOSE).status_code == 200
    response = client.post(PROPOSE, proposal_data(framework, competence="D2.C2"))
    assert response.status_code == 302
    proposal = FrameworkProposal.objects.get()
    assert (proposal.user, proposal.area.code, proposal.competence.code) == (
        author,
        "D2",
        "D2.C2",
    )
    page = client.get(PROPOSE)
    assert "double authentification" in page.text
    assert "Reçue" in page.text


def test_a_competence_of_another_area_is_a_form_error(client, author, framework):
    response = client.post(PROPOSE, proposal_data(framework, area="D1", competence="D2.C2"))
    assert response.status_code == 400
    assert "n&#x27;est pas de ce domaine" in response.text
    assert not FrameworkProposal.objects.exists()


def test_a_proposal_without_text_is_refused(client, author, framework):
    response = client.post(PROPOSE, {**proposal_data(framework), "proposal": ""})
    assert response.status_code == 400
    assert not FrameworkProposal.objects.exists()


def test_proposals_are_limited_per_person(client, author, framework, monkeypatch):
    monkeypatch.setattr(proposal_services, "PROPOSALS_PER_HOUR", 1)
    client.post(PROPOSE, proposal_data(framework))
    assert client.post(PROPOSE, proposal_data(framework)).status_code == 429
    assert FrameworkProposal.objects.count() == 1


def test_steering_accepts_links_a_version_and_the_author_sees_the_outcome(
    client, proposal, draft, framework
):
    steering = make_user(roles=("steering",), first_name="Paul", last_name="Pilote")
    client.force_login(steering)
    queue = client.get(QUEUE, {"etat": "submitted"})
    assert "Proposition du" in queue.text
    page = client.get(detail(proposal))
    assert "un utilisateur" in page.text
    for personal in ("Bérénice", "Castellane", "10003456789"):
        assert personal not in queue.text and personal not in page.text
    response = client.post(
        detail(proposal),
        {"decision": "accepted", "note": "Retenue pour la version 2027.", "framework": draft.pk},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert (proposal.moderated_by, proposal.framework) == (steering, draft)
    assert proposal.moderated_at is not None
    # A second answer is refused; the version can still change.
    again = client.post(detail(proposal), {"decision": "rejected", "note": "Non."})
    assert again.status_code == 400
    client.post(detail(proposal), {"framework": framework.pk})
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.framework == framework
    client.force_login(proposal.user)
    mine = client.get(PROPOSE)
    assert "Retenue pour la version 2027." in mine.text
    assert "Retenue" in mine.text


def test_a_rejected_proposal_cannot_be_linked_to_a_version(client, proposal, draft):
    client.force_login(make_user(roles=("administrator",)))
    response = client.post(
        detail(proposal), {"decision": "rejected", "note": "Hors champ.", "framework": draft.pk}
    )
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    client.post(detail(proposal), {"decision": "rejected", "note": "Hors champ."})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.framework is None
    with pytest.raises(FeedbackError):
        proposal_services.link_proposal(proposal, draft)


def test_a_version_of_another_framework_is_refused(proposal):
    other = Framework.objects.create(code="autre", version="1", title_fr="Autre")
    with pytest.raises(FeedbackError):
        proposal_services.moderate_proposal(
            proposal, proposal.user, accepted=True, note="Oui.", framework=other
        )
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_funders_read_the_queue_but_cannot_answer(client, proposal):
    client.force_login(make_user(roles=("funder",)))
    assert client.get(QUEUE).status_code == 200
    page = client.get(detail(proposal))
    assert page.status_code == 200
    assert "Enregistrer la réponse" not in page.text
    response = client.post(detail(proposal), {"decision": "accepted", "note": "Oui."})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_learners_cannot_reach_the_moderation_pages(client, proposal):
    client.force_login(make_user())
    assert client.get(QUEUE).status_code == 403
    assert client.get(detail(proposal)).status_code == 403
    assert client.post(detail(proposal), {"decision": "accepted", "note": "x"}).status_code == 403


def test_an_unknown_proposal_is_not_found_and_a_bad_status_is_a_400(client, framework):
    client.force_login(make_user(roles=("steering",)))
    assert client.get(reverse("steering_feedback:proposal", args=[999])).status_code == 404
    assert client.get(QUEUE, {"etat": "lost"}).status_code == 400
