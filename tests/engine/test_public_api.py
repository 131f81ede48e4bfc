import subprocess
import sys

import palier.engine


def test_the_public_api_is_exactly_the_documented_names():
    assert palier.engine.__all__ == [
        "CERTIFICATION_THRESHOLD",
        "Answer",
        "AreaCutScores",
        "Calibration",
        "CatConfig",
        "CertifiedLevel",
        "DifResult",
        "ExposureTuning",
        "ItemBank",
        "ItemFit",
        "LevelReport",
        "Linking",
        "PanelResult",
        "Priors",
        "SimulationResult",
        "Step",
        "area_cut_scores",
        "bookmark_cut",
        "calibrate",
        "certification_exposure",
        "certified_level",
        "information",
        "item_fit",
        "level",
        "level_probabilities",
        "mantel_haenszel",
        "matching_strata",
        "mean_sigma",
        "next_step",
        "ordered_item_booklet",
        "panel_cut_scores",
        "probability",
        "reported_level",
        "rp_location",
        "simulate",
        "stocking_lord",
        "sympson_hetter_parameters",
        "transform",
    ]
    for name in palier.engine.__all__:
        assert hasattr(palier.engine, name), name


def test_importing_the_engine_does_not_import_django():
    # pytest-django has already imported Django in this process, so check in a fresh one.
    code = "import palier.engine, sys; assert 'django' not in sys.modules, 'django imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
