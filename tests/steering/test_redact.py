"""Personal data stripped from comments before steering reads them; ordinary text kept."""

import pytest

from palier.steering.redact import MASK, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez-moi : jeanne.martin+avis@hopital-nord.fr merci", f"Écrivez-moi : {MASK} merci"),
        ("Mon 06 12 34 56 78 pour en parler", f"Mon {MASK} pour en parler"),
        ("Mon 06.12.34.56.78.", f"Mon {MASK}."),
        ("Appelez le 01-45-67-89-10", f"Appelez le {MASK}"),
        ("ou le +33 6 12 34 56 78", f"ou le {MASK}"),
        ("ou le +33 (0)1 45 67 89 10", f"ou le {MASK}"),
        ("ou le 0033612345678", f"ou le {MASK}"),
        ("ou le 0612345678", f"ou le {MASK}"),
        ("NIR 1 85 05 78 006 084 36 fin", f"NIR {MASK} fin"),
        ("mon numéro 185057800608436 fin", f"mon numéro {MASK} fin"),
        ("né en Corse 2 90 12 2A 123 456 78", f"né en Corse {MASK}"),
        ("matricule INS : 2 94 03 75 120 005 22", f"matricule INS : {MASK}"),
        ("RPPS 10003456789.", f"RPPS {MASK}."),
        ("RPPS : 100 034 567 89", f"RPPS : {MASK}"),
        ("ADELI 759312345", f"ADELI {MASK}"),
        ("sécurité sociale n° 2 94 03 75 120 005", f"sécurité sociale n° {MASK}"),
        ("voir https://exemple.fr/cours?id=12&user=jmartin ici", f"voir {MASK} ici"),
        ("voir www.exemple.fr/page?token=abc.", f"voir {MASK}"),
    ],
)
def test_each_kind_of_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


def test_the_authors_names_are_removed_whatever_the_case_and_accents():
    text = "Je suis Élodie Le Goff, ELODIE pour les collègues ; madame le goff au service."
    assert redact(text, ["Élodie", "Le Goff"]) == (
        f"Je suis {MASK} {MASK}, {MASK} pour les collègues ; madame {MASK} au service."
    )


def test_a_hyphenated_first_name_is_removed_whole_and_by_part():
    assert redact("Jean-Pierre ou Pierre ?", ["Jean-Pierre"]) == f"{MASK} ou {MASK} ?"


def test_names_are_whole_words_only():
    assert redact("Un module passionnant", ["Anne"]) == "Un module passionnant"


@pytest.mark.parametrize(
    "text",
    [
        "En 2025 puis en 2026, trois modules sur 5 étaient utiles.",
        "Les années 2025 2026 2027 du plan.",
        "Un budget de 1 000 000 euros, soit 60 % de plus.",
        "Le module D1.2 dure 12 h ; version 1.2.3 du référentiel.",
        "Séance du 12/05/2026 à 14 h 30, salle 101.",
        "Lien utile : https://www.has-sante.fr/jcms/p_3288491/fr sans paramètre.",
        "Le score était de 8/10, note 17,5.",
        "Les infirmiers de l'INSERM et les instituts.",
    ],
)
def test_ordinary_words_years_and_amounts_are_kept(text):
    assert redact(text, ["Claire", "Dupont"]) == text
