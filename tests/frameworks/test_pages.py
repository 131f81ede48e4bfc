import pytest
from django.urls import reverse
from django.utils.html import escape

pytestmark = pytest.mark.django_db


def detail_url(framework):
    return reverse("frameworks:detail", args=[framework.code, framework.version])


def test_the_framework_index_leads_to_the_published_version(client, framework):
    response = client.get(reverse("frameworks:index"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(framework)


def test_the_framework_page_lists_the_five_areas_in_french(client, framework):
    response = client.get(detail_url(framework))
    content = response.content.decode()
    assert response.status_code == 200
    for area in framework.areas.all():
        assert escape(area.title_fr) in content


def test_the_framework_page_reads_in_english_under_the_en_prefix(client, framework):
    response = client.get("/en" + detail_url(framework))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in content
    assert escape(framework.areas.get(code="D2").title_en) in content


def test_the_framework_page_costs_a_fixed_number_of_queries(
    client, framework, django_assert_max_num_queries
):
    # framework + areas + levels + competences + capacities, plus the session machinery.
    with django_assert_max_num_queries(7):
        client.get(detail_url(framework))


def test_an_area_page_shows_competences_capacities_and_levels(client, framework):
    area = framework.areas.get(code="D5")
    response = client.get(
        reverse("frameworks:area", args=[framework.code, framework.version, "D5"])
    )
    content = response.content.decode()
    assert response.status_code == 200
    for competence in area.competences.all():
        assert escape(competence.title_fr) in content
        for capacity in competence.capacities.all():
            assert capacity.code in content
    for level in area.levels.all():
        assert escape(level.label_fr) in content


def test_the_target_profile_page_has_one_row_per_population(client, framework):
    response = client.get(reverse("frameworks:targets", args=[framework.code, framework.version]))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('<th scope="row">') == 20
    assert content.count("<em>profil proposé par Palier</em>") == 3  # social work x2, admin
    assert "Arrêté du 9 juin 2023" in content


@pytest.mark.parametrize(
    "path",
    [
        "/referentiel/sante-numerique/1999.9/",
        "/referentiel/sante-numerique/2026.1/D9/",
        "/referentiel/inconnu/2026.1/case.json",
    ],
)
def test_unknown_versions_and_areas_answer_404(client, framework, path):
    assert client.get(path).status_code == 404
