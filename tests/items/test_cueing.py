"""Cues that give an item away, near duplicates, and the content check's thresholds."""

import copy
import json

from palier.items.content_check import check_document
from palier.items.cueing import answers_in_stem, choice_cues, matching_echoes
from palier.items.similarity import near_duplicates


def choice(code, stem, key, *distractors, fmt="single_choice", **extra):
    texts = [key, *distractors]
    return {
        "code": code,
        "capacity": "D1.C1.1",
        "level": 2,
        "format": fmt,
        "stem": {"fr": stem, "en": stem},
        "definition": {
            "options": [
                {"id": chr(97 + i), "text": {"fr": t, "en": t}} for i, t in enumerate(texts)
            ],
            "correct": "a",
        },
        "feedback": {"fr": "Parce que.", "en": "Because."},
        "source": "Code de la santé publique, art. L1111-8",
        "level_review": {"by": "Relecture", "on": "2026-12-07"},
        **extra,
    }


def test_a_key_longer_than_every_distractor_is_flagged():
    cues = choice_cues(choice("X", "Quel délai ?", "Soixante-douze heures", "24 h", "48 h", "7 j"))
    assert cues.key_longest and cues.key_much_longer
    even = choice_cues(choice("X", "Quel délai ?", "72 heures", "24 heures", "48 heures", "1 mois"))
    assert not even.key_longest and not even.key_much_longer


def test_absolutes_are_counted_in_keys_and_distractors_apart():
    cues = choice_cues(
        choice(
            "X",
            "Que faire ?",
            "Vérifier l'identité",
            "Ne jamais vérifier",
            "Toujours répondre",
            "Transmettre au cadre",
        )
    )
    assert (cues.absolutes_in_keys, cues.absolutes_in_distractors) == (0, 2)


def test_a_stem_word_found_only_in_the_key_is_an_echo():
    cues = choice_cues(
        choice(
            "X",
            "Quel hébergeur certifié choisir ?",
            "Un hébergeur certifié HDS",
            "Un cloud grand public",
            "Une clé USB chiffrée",
            "Le poste du cabinet",
        )
    )
    assert cues.echo == {"hebergeur", "certifie"}
    fair = choice_cues(
        choice(
            "X",
            "Quel hébergeur choisir ?",
            "Un hébergeur certifié HDS",
            "Un hébergeur grand public",
            "Un hébergeur à l'étranger",
            "Un hébergeur interne",
        )
    )
    assert fair.echo == frozenset()


def test_all_or_none_options_are_found():
    cues = choice_cues(
        choice("X", "Que faire ?", "Toutes les réponses", "Rien", "Appeler", "Noter")
    )
    assert cues.all_or_none


def test_a_matching_description_that_repeats_its_name_is_an_echo():
    item = {
        "code": "M",
        "format": "matching",
        "definition": {
            "left": [
                {"id": "a", "text": {"fr": "Sous-traitant"}},
                {"id": "b", "text": {"fr": "Responsable de traitement"}},
            ],
            "right": [
                {"id": "1", "text": {"fr": "Agit pour le compte d'un autre"}},
                {"id": "2", "text": {"fr": "Décide des finalités du traitement"}},
            ],
            "correct": {"a": "1", "b": "2"},
        },
    }
    assert matching_echoes(item) == ["Responsable de traitement"]


def test_near_duplicates_are_found_across_areas_unless_they_are_enemies():
    first = choice(
        "D1-0001",
        "Quel sigle désigne la certification des hébergeurs de données ?",
        "HDS",
        "ISO",
        "RGS",
        "PGSSI",
    )
    second = choice(
        "D5-0001",
        "Quel sigle désigne la certification exigée des hébergeurs ?",
        "HDS",
        "ISO",
        "RGS",
        "PGSSI",
    )
    other = choice(
        "D2-0001",
        "Dans quel délai notifier une violation à la CNIL ?",
        "72 heures",
        "24 heures",
        "8 jours",
        "1 mois",
    )
    pairs = near_duplicates([first, other, second])
    assert [(pair.first, pair.second) for pair in pairs] == [("D1-0001", "D5-0001")]
    first["enemy_group"] = second["enemy_group"] = "HDS-SIGLE"
    assert near_duplicates([first, other, second]) == []


def balanced_area(count=10):
    """Single-choice items without cues, at every level, on one capacity."""
    topics = [
        "messagerie",
        "hébergement",
        "identité",
        "rançongiciel",
        "consentement",
        "téléexpertise",
        "pseudonyme",
        "traçabilité",
        "sauvegarde",
        "ordonnance",
    ]
    items = []
    for index, topic in enumerate(topics[:count]):
        item = choice(
            f"D1-{index:04d}",
            f"Et pour « {topic} » ?",
            f"Vrai {index}",
            f"Faux {index}",
            f"Rien {index}",
            f"Aide {index}",
        )
        item["level"] = 1 + index % 5
        options = item["definition"]["options"]
        item["definition"]["options"] = [
            {"id": chr(97 + i), "text": option["text"]}
            for i, option in enumerate(options[index % 4 :] + options[: index % 4])
        ]
        item["definition"]["correct"] = chr(97 + (4 - index % 4) % 4)
        items.append(item)
    return items


def cue_errors(items):
    report = check_document({"items": items}, {"D1": ["D1.C1.1"]})
    cues = ("key_", "stem_echo", "length_spread", "absolutes")
    return [
        error
        for error in report.errors
        if error.startswith("D1-") or any(cue in error for cue in cues)
    ]


def test_the_content_check_fails_an_area_above_the_thresholds():
    items = balanced_area()
    assert cue_errors(items) == []
    for item in items[:4]:  # 40 % of keys the longest, and much longer
        item["definition"]["options"][ord(item["definition"]["correct"]) - 97]["text"]["fr"] = (
            "Une réponse juste nettement plus longue que les autres"
        )
    errors = cue_errors(items)
    assert any("key_longest in 4 of 10" in error for error in errors)
    assert any("key_much_longer" in error for error in errors)


def test_the_content_check_requires_a_level_review_and_a_precise_source():
    items = balanced_area()
    broken = copy.deepcopy(items)
    del broken[0]["level_review"]
    broken[1]["source"] = "ANSSI"
    errors = cue_errors(broken)
    assert "D1-0000: level not reviewed (level_review: by, on)" in errors
    assert any(error.startswith("D1-0001: source not precise") for error in errors)


def coverage_errors(items):
    report = check_document({"items": items}, {"D1": ["D1.C1.1", "D1.C2.1"]})
    return [error for error in report.errors if error.startswith("D1: ")]


def test_every_competence_needs_two_case_based_items_and_other_formats():
    items = balanced_area()
    errors = coverage_errors(items)
    assert "D1: competence D1.C1 has 0 case-based items, at least 2 needed" in errors
    assert "D1: competence D1.C2 has 0 case-based items, at least 2 needed" in errors
    assert "D1: 0 of 10 items in formats other than single choice (under 15%)" in errors
    for item in items[:2]:
        item["stimulus"] = "D1-CASE-01"
    items[2]["format"] = items[3]["format"] = "multiple_response"
    for item in items[2:4]:
        item["definition"]["correct"] = [item["definition"]["correct"]]
    errors = coverage_errors(items)
    assert not any("D1.C1 has" in error or "formats other" in error for error in errors)


def test_each_capacity_needs_items_at_three_levels():
    items = balanced_area()
    for item in items:
        item["level"] = 2 if item["code"] < "D1-0005" else 3
    errors = coverage_errors(items)
    assert "D1: capacity D1.C1.1 has items at 2 level(s), at least 3 needed" in errors


def test_the_command_line_check_reports_and_fails_on_errors(tmp_path, capsys):
    from palier.items.content_check import main

    bank = tmp_path / "bank.json"
    items = balanced_area()
    items[0]["definition"]["options"][0]["text"]["fr"] = "Toutes les réponses"
    bank.write_text(json.dumps({"items": items}), encoding="utf-8")
    assert main(["--items", str(bank)]) == 1
    out = capsys.readouterr().out
    assert "error: D1-0000: an option is 'all/none of the answers'" in out
    assert main([]) == 2
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert main([str(tmp_path / "broken.json")]) == 2
    assert "cannot read the bank" in capsys.readouterr().out


def test_a_short_answer_copied_from_the_stem_is_an_error():
    item = {
        "code": "D1-0099",
        "format": "short_text",
        "stem": {"fr": "Quel droit permet d'en obtenir la correction ?", "en": "Which right?"},
        "definition": {
            "accepted": {"fr": ["rectification", "correction"], "en": ["rectification"]}
        },
    }
    assert answers_in_stem(item) == ["correction"]
    item["stem"]["fr"] = "Quel droit permet de faire modifier une donnée inexacte ?"
    assert answers_in_stem(item) == []


def test_multiple_response_keys_that_all_outgrow_the_distractors_are_flagged():
    item = choice(
        "X",
        "Quelles mesures ?",
        "Chiffrer le poste et verrouiller la session",
        "Signaler l'incident au référent sécurité",
        "Rien",
        "Attendre",
        fmt="multiple_response",
    )
    item["definition"]["correct"] = ["a", "b"]
    cues = choice_cues(item)
    assert cues.keys == 2 and cues.key_longest and cues.key_much_longer
    item["definition"]["options"][2]["text"]["fr"] = "Prévenir le fournisseur du logiciel"
    item["definition"]["options"][3]["text"]["fr"] = "Redémarrer le poste et continuer le travail"
    assert not choice_cues(item).key_longest and not choice_cues(item).key_much_longer
