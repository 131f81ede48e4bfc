"""The level and the probability that it is right, in one sentence, on the result page, in
the PDF and in the API, in French and in English; the notice of a synthetic calibration."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from palier.assessments.models import Attempt
from palier.assessments.services import start_attempt
from palier.items.models import Calibration
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# A result where D1 is reported alone and D2 is between two levels (stored as at finish).
SURE = {
    "theta": 0.1,
    "se": 0.35,
    "level": 3,
    "level_probabilities": [0.0, 0.1, 0.7849, 0.1, 0.0151],
    "precision": "precise",
    "level_probability": 0.7849,
    "between_levels": None,
}
UNSURE = {
    "theta": -0.6,
    "se": 0.6,
    "level": 2,
    "level_probabilities": [0.09, 0.45, 0.41, 0.05, 0.0],
    "precision": "indicative",
    "level_probability": 0.86,
    "between_levels": [2, 3],
}
NNBSP = "\u202f"  # narrow no-break space, before "%" in French
FRENCH = (
    f"Niveau 3, avec 78{NNBSP}% de chances que ce soit bien votre niveau.",
    "Entre le niveau 2 et le niveau 3 : vos réponses ne permettent pas de trancher "
    f"(niveau 2 : 45{NNBSP}%, niveau 3 : 41{NNBSP}%).",
)
ENGLISH = (
    "Level 3, with a 78% chance that this is your level.",
    "Between level 2 and level 3: your answers cannot settle which (level 2: 45%, level 3: 41%).",
)
SYNTHETIC_FR = "Calibration de démonstration, estimée sur des données simulées"
SYNTHETIC_EN = "Demonstration calibration, estimated on simulated data"


@pytest.fixture
def finished(learner):
    """A finished test on D1 and D2 whose stored result says 78 % for D1, 'between' for D2."""
    attempt = start_attempt(learner, ["D1", "D2"], seed=11)
    play(attempt, alternate)
    attempt.refresh_from_db()
    stored = dict(attempt.result)
    stored["areas"] = {"D1": SURE, "D2": UNSURE}
    Attempt.objects.filter(pk=attempt.pk).update(result=stored)
    attempt.refresh_from_db()
    return attempt


def page(client, attempt, language):
    with translation.override(language):
        url = reverse("assessments:result", args=[attempt.pk])
    assert url.startswith("/en/") == (language == "en")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(client, attempt, language):
    from pypdf import PdfReader

    with translation.override(language):
        url = reverse("assessments:result_pdf", args=[attempt.pk])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Lines wrap and the PDF's fonts use a no-break space before "%": compare words.
    return " ".join("".join(p.extract_text() for p in reader.pages).split())


def words(text):
    return " ".join(text.split())


def test_the_result_page_says_each_level_and_how_sure_it_is_in_french(client, finished):
    content = page(client, finished, "fr")
    for sentence in FRENCH:
        assert sentence in content
    assert "environ 8 sur 10 ont bien ce niveau" in content
    assert f"annonce 80{NNBSP}%" in content
    # The data table beside the chart: every level's probability, the pair for D2.
    assert f"niveau 3 : 78{NNBSP}%" in content and f"niveau 5 : 1{NNBSP}%" in content
    assert "entre 2 et 3 / 5" in content
    assert SYNTHETIC_FR not in content


def test_the_result_page_says_each_level_and_how_sure_it_is_in_english(client, finished):
    content = page(client, finished, "en")
    for sentence in ENGLISH:
        assert sentence in content
    assert "about 8 in 10 really are at this level" in content and "tells 80%" in content
    assert "level 3: 78%" in content and "between 2 and 3 / 5" in content
    assert f"78{NNBSP}%" not in content


def test_the_bars_fill_the_level_and_dash_a_pair_not_only_by_colour(client, finished):
    content = page(client, finished, "fr")
    bars = content.split('<svg class="level-bar"')[1:]
    assert len(bars) == 2
    # D1: level 3 alone, solid over three fifths; D2: solid to 2, dashed from 2 to 3.
    assert 'class="level-bar__fill" x="0" y="22" width="60.0%"' in bars[0]
    assert "level-bar__maybe" not in bars[0]
    assert 'class="level-bar__fill" x="0" y="22" width="40.0%"' in bars[1]
    assert 'class="level-bar__maybe" x="40.0%" y="23" width="20.0%"' in bars[1]


def test_the_pdf_gives_the_same_sentences(client, finished):
    text = pdf_text(client, finished, "fr")
    for sentence in FRENCH:
        assert words(sentence) in text
    assert "entre 2 et 3" in text and words(SYNTHETIC_FR) not in text
    english = pdf_text(client, finished, "en")
    for sentence in ENGLISH:
        assert words(sentence) in english


def test_a_result_from_a_synthetic_calibration_says_so_everywhere(client, finished):
    Calibration.objects.filter(pk=finished.calibration_id).update(synthetic=True)
    assert SYNTHETIC_FR in page(client, finished, "fr")
    assert SYNTHETIC_EN in page(client, finished, "en")
    assert words(SYNTHETIC_FR) in pdf_text(client, finished, "fr")
    body = client.get(f"/api/v1/assessments/{finished.pk}/result").json()
    assert body["synthetic_calibration"] is True


def test_the_api_gives_the_probability_and_the_pair_per_area(client, finished):
    body = client.get(f"/api/v1/assessments/{finished.pk}/result").json()
    assert body["synthetic_calibration"] is False
    result = body["result"]
    assert result["schema"] == 2 and result["report_threshold"] == 0.6
    d1, d2 = result["areas"]["D1"], result["areas"]["D2"]
    assert (d1["level"], d1["level_probability"], d1["between_levels"]) == (3, 0.7849, None)
    assert (d2["level"], d2["level_probability"], d2["between_levels"]) == (2, 0.86, [2, 3])
    assert d2["level_probabilities"] == UNSURE["level_probabilities"]
    assert {"theta", "se", "precision"} <= set(d1)  # earlier fields are kept
    assert body["review"] and set(body["review"][0]) == {"position", "item", "correct", "feedback"}


def test_the_api_computes_the_probabilities_of_a_result_stored_before_them(client, finished):
    stored = dict(finished.result)
    del stored["report_threshold"]
    stored["schema"] = 1
    stored["areas"] = {
        code: {"theta": area["theta"], "se": area["se"], "level": area["level"]}
        for code, area in stored["areas"].items()
    }
    Attempt.objects.filter(pk=finished.pk).update(result=stored)
    result = client.get(f"/api/v1/assessments/{finished.pk}/result").json()["result"]
    # D1: theta 0.1, SE 0.35 on the seed's cut scores: P(level 3) = 0.83, reported alone.
    assert result["areas"]["D1"]["between_levels"] is None
    assert result["areas"]["D1"]["level_probability"] == pytest.approx(0.8302, abs=1e-4)
    # D2: theta -0.6, SE 0.6: P(level 2) = 0.50, between level 2 and its likelier neighbour 3.
    assert result["areas"]["D2"]["between_levels"] == [2, 3]
    assert result["areas"]["D2"]["level_probability"] == pytest.approx(0.8998, abs=1e-4)
    finished.refresh_from_db()
    assert finished.result == stored  # read, never rewritten


def test_the_openapi_schema_documents_the_new_result_fields(client):
    schema = client.get("/api/v1/openapi.json").json()
    area = schema["components"]["schemas"]["AreaLevelOut"]["properties"]
    assert {"level_probability", "between_levels", "level_probabilities"} <= set(area)
    result = schema["components"]["schemas"]["PositioningResultOut"]["properties"]
    assert "synthetic_calibration" in result


def test_another_learner_gets_nothing(client, finished):
    client.force_login(make_user())
    assert client.get(f"/api/v1/assessments/{finished.pk}/result").status_code == 404
