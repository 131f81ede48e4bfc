"""A small bank document with one item of every format, for import/export tests."""

from __future__ import annotations

import copy
from typing import Any


def text(fr: str, en: str = "") -> dict[str, str]:
    return {"fr": fr, "en": en or f"[en] {fr}"}


def options(*labels: str) -> list[dict[str, Any]]:
    return [
        {"id": chr(ord("a") + index), "text": text(label)} for index, label in enumerate(labels)
    ]


BASE = {
    "capacity": "D2.C2.1",
    "level": 3,
    "stimulus": None,
    "feedback": text("Parce que c'est la règle.", "Because it is the rule."),
    "source": "ANSSI, guide d'hygiène informatique",
    "estimated_seconds": 60,
    "accessibility": {"screen_reader": True, "colour_independent": True},
}

ITEMS: list[dict[str, Any]] = [
    {
        "code": "T-0001",
        "format": "single_choice",
        "stimulus": "T-CASE-01",
        "stem": text("Que faites-vous de ce <strong>courriel</strong> ?", "What do you do?"),
        "definition": {
            "options": options("Je clique", "Je le signale", "Je réponds", "Je transfère"),
            "correct": "b",
        },
    },
    {
        "code": "T-0002",
        "format": "multiple_response",
        "stem": text("Quels signes d'hameçonnage ?"),
        "definition": {
            "options": options("Urgence", "Expéditeur inconnu", "Logo officiel"),
            "correct": ["a", "b"],
        },
    },
    {
        "code": "T-0003",
        "format": "short_text",
        "stem": text("Quel est le nom de la messagerie sécurisée de santé ?"),
        "definition": {
            "accepted": {"fr": ["MSSanté", "messagerie sécurisée de santé"], "en": ["MSSante"]},
            "max_typos": 1,
        },
    },
    {
        "code": "T-0004",
        "format": "numeric",
        "stem": text("Délai de notification d'une violation à la CNIL ?"),
        "definition": {"value": 72, "tolerance": 0, "unit": text("heures", "hours")},
    },
    {
        "code": "T-0005",
        "format": "ordering",
        "stem": text("Remettez les étapes dans l'ordre."),
        "definition": {
            "options": options("Débrancher le réseau", "Prévenir le RSSI", "Noter l'heure"),
            "correct": ["a", "c", "b"],
        },
    },
    {
        "code": "T-0006",
        "format": "matching",
        "stem": text("Associez chaque attaque à sa description."),
        "definition": {
            "left": options("Rançongiciel", "Hameçonnage"),
            "right": [
                {"id": "x", "text": text("Chiffre les fichiers")},
                {"id": "y", "text": text("Vole des identifiants")},
            ],
            "correct": {"a": "x", "b": "y"},
        },
    },
    {
        "code": "T-0007",
        "format": "stimulus_choice",
        "stimulus": "T-CASE-01",
        "stem": text("Repérez les éléments suspects du courriel."),
        "definition": {
            "options": options(
                "Adresse de l'expéditeur", "Formule de politesse", "Pièce jointe .exe"
            ),
            "correct": ["a", "c"],
        },
    },
]

STIMULUS = {
    "code": "T-CASE-01",
    "kind": "email",
    "title": text("Un courriel inattendu"),
    "content": text("<p><strong>De :</strong> support@examp1e.org</p><p>Cliquez vite.</p>"),
}


def sample_document() -> dict[str, Any]:
    return copy.deepcopy({"stimuli": [STIMULUS], "items": [{**BASE, **item} for item in ITEMS]})
