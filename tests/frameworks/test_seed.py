import re

import pytest

from palier.frameworks.models import Area, Capacity, Competence, Population, TargetLevel
from palier.frameworks.seed import SEED_FILE, SeedError, load_framework_seed, read_seed

pytestmark = pytest.mark.django_db
CODE_PATTERNS = {
    "area": re.compile(r"^D[1-5]$"),
    "competence": re.compile(r"^D[1-5]\.C\d$"),
    "capacity": re.compile(r"^D[1-5]\.C\d\.\d$"),
}


def test_the_seed_has_five_areas_about_twenty_competences_and_sixty_to_ninety_capacities():
    report = load_framework_seed()
    assert report.areas == 5
    assert 18 <= report.competences <= 22
    assert 60 <= report.capacities <= 90
    for competence in Competence.objects.all():
        assert 3 <= competence.capacities.count() <= 5, competence.code


def test_the_areas_follow_the_national_order_and_total_twenty_eight_hours(framework):
    areas = list(framework.areas.order_by("number"))
    assert [area.code for area in areas] == ["D1", "D2", "D3", "D4", "D5"]
    assert sum(area.reference_hours for area in areas) == 28


def test_every_text_exists_in_french_and_english_and_codes_are_well_formed(framework):
    for kind, model in (("area", Area), ("competence", Competence), ("capacity", Capacity)):
        for node in model.objects.all():
            assert CODE_PATTERNS[kind].match(node.code), node.code
            assert node.title_fr.strip() and node.title_en.strip(), node.code
            assert node.description_fr.strip() and node.description_en.strip(), node.code
    for capacity in Capacity.objects.select_related("competence"):
        assert capacity.code.startswith(capacity.competence.code + ".")


def test_every_population_of_the_reference_has_a_complete_target_profile(framework):
    kinds = {kind: Population.objects.filter(kind=kind).count() for kind in Population.Kind}
    assert kinds[Population.Kind.HIGHER_EDUCATION] >= 12
    assert kinds[Population.Kind.VOCATIONAL] == 2
    assert kinds[Population.Kind.SOCIAL_WORK] == 2
    assert kinds[Population.Kind.ADMINISTRATIVE] == 1
    assert kinds[Population.Kind.CONTINUING] == 1
    for population in Population.objects.all():
        targets = TargetLevel.objects.filter(framework=framework, population=population)
        assert targets.count() == 5, population.code
        assert all(1 <= target.level_rank <= 5 for target in targets)


def test_every_population_names_its_source_and_unpublished_frameworks_are_proposals(framework):
    for population in Population.objects.all():
        assert population.source.strip(), population.code
        unpublished = population.kind in (
            Population.Kind.SOCIAL_WORK,
            Population.Kind.ADMINISTRATIVE,
        )
        assert population.profile_is_proposal == unpublished, population.code
        if unpublished:
            assert "proposition de Palier" in population.description_fr
            assert "Palier's proposal" in population.description_en
    care_assistants = Population.objects.get(code="aide-soignant")
    assert care_assistants.kind == Population.Kind.VOCATIONAL
    assert "9 juin 2023" in care_assistants.source


def test_each_area_has_five_levels_with_increasing_cut_scores(framework):
    for area in framework.areas.all():
        levels = list(area.levels.order_by("rank"))
        assert [level.rank for level in levels] == [1, 2, 3, 4, 5]
        assert levels[0].min_theta is None
        cuts = [level.min_theta for level in levels[1:]]
        assert cuts == sorted(cuts)


def test_loading_the_seed_twice_changes_nothing():
    first = load_framework_seed()
    counts = (
        Area.objects.count(),
        Competence.objects.count(),
        Capacity.objects.count(),
        Population.objects.count(),
        TargetLevel.objects.count(),
    )
    second = load_framework_seed()
    assert first.created and not second.created
    assert counts == (
        Area.objects.count(),
        Competence.objects.count(),
        Capacity.objects.count(),
        Population.objects.count(),
        TargetLevel.objects.count(),
    )


def test_a_malformed_seed_file_is_rejected_with_a_clear_message_and_writes_nothing(tmp_path):
    broken = tmp_path / "framework.json"
    broken.write_text('{"code": "x"', encoding="utf-8")
    with pytest.raises(SeedError, match="cannot read"):
        load_framework_seed(broken)
    data = read_seed(SEED_FILE)
    data["populations"][0]["kind"] = "astronaut"
    import json

    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SeedError, match="unknown kind"):
        load_framework_seed(broken)
    assert Area.objects.count() == 0
    assert Population.objects.count() == 0


def test_reloading_an_edited_seed_updates_the_rows_in_place(tmp_path):
    import json

    load_framework_seed()
    capacity = Capacity.objects.get(code="D1.C1.1")
    data = read_seed(SEED_FILE)
    data["areas"][0]["competences"][0]["capacities"][0]["title"]["fr"] = "Titre revu"
    data["areas"][0]["competences"][0]["title"]["fr"] = "Compétence revue"
    data["cut_scores"][0] = -1.75
    nurses = next(p for p in data["populations"] if p["code"] == "soins-infirmiers")
    nurses["target_levels"]["D1"] = 4
    edited = tmp_path / "framework.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    load_framework_seed(edited)
    capacity.refresh_from_db()  # same row (same primary key), new title
    assert capacity.title_fr == "Titre revu"
    assert Competence.objects.get(code="D1.C1").title_fr == "Compétence revue"
    assert Area.objects.get(code="D1").levels.get(rank=2).min_theta == -1.75
    target = TargetLevel.objects.get(population__code="soins-infirmiers", area__code="D1")
    assert target.level_rank == 4
    assert Capacity.objects.filter(code="D1.C1.1").count() == 1
