import pytest

pytestmark = pytest.mark.django_db


def test_the_api_lists_published_versions(client, framework):
    response = client.get("/api/v1/frameworks")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": framework.code,
            "version": framework.version,
            "title": {"fr": framework.title_fr, "en": framework.title_en},
            "published_at": framework.published_at.isoformat(),
            "frozen": False,
        }
    ]


def test_the_api_returns_the_whole_tree_of_a_version(client, framework):
    body = client.get(f"/api/v1/frameworks/{framework.code}/{framework.version}").json()
    assert [area["code"] for area in body["areas"]] == ["D1", "D2", "D3", "D4", "D5"]
    area = body["areas"][1]
    assert len(area["levels"]) == 5 and area["levels"][0]["min_theta"] is None
    capacity = area["competences"][0]["capacities"][0]
    assert capacity["code"].startswith("D2.C1.") and capacity["title"]["en"]


def test_the_api_lists_populations_with_their_targets(client, framework):
    body = client.get(f"/api/v1/frameworks/{framework.code}/{framework.version}/populations")
    nurses = next(p for p in body.json() if p["code"] == "soins-infirmiers")
    assert set(nurses["target_levels"]) == {"D1", "D2", "D3", "D4", "D5"}
    assert nurses["source"].startswith("Arrêté du 10 novembre 2022")
    assert not nurses["profile_is_proposal"]
    admin = next(p for p in body.json() if p["code"] == "personnels-administratifs")
    assert admin["profile_is_proposal"]


def test_the_api_exports_case(client, framework):
    body = client.get(f"/api/v1/frameworks/{framework.code}/{framework.version}/case").json()
    assert body["CFDocument"]["version"] == framework.version


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/frameworks/sante-numerique/0.0",
        "/api/v1/frameworks/nope/2026.1/case",
        "/api/v1/frameworks/sante-numerique/0.0/populations",
    ],
)
def test_unknown_versions_get_a_404_in_the_error_shape(client, framework, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Ressource introuvable.", "fields": {}}
    }
