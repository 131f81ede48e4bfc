"""Check a statement against the xAPI 1.0.3 rules before it is stored to be sent.

A JSON Schema (draft 2020-12) of the statement's structure: required properties, exactly one
identifier per agent, IRIs, UUIDs (RFC 4122 variant), ISO 8601 timestamps and durations,
language maps, the score's range; plus the rules a schema cannot say (a raw score between its
min and max). Reference: ADL, Experience API 1.0.3, Part Two, section 2 "Statements".
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

# RFC 3987's scheme, then no character an IRI may not hold (spaces, <>"{}|\^`).
IRI = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$"}
UUID = {
    "type": "string",
    "pattern": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
    r"-[0-9a-fA-F]{12}$",
}
TIMESTAMP = {
    "type": "string",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+\-]\d\d:\d\d)$",
}
DURATION = {
    "type": "string",
    "pattern": r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$",
}
LANGUAGE_TAG = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"
LANGUAGE_MAP = {
    "type": "object",
    "propertyNames": {"pattern": LANGUAGE_TAG},
    "additionalProperties": {"type": "string"},
}
EXTENSIONS = {"type": "object", "propertyNames": {"pattern": IRI["pattern"]}}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "account": {
            "type": "object",
            "required": ["homePage", "name"],
            "properties": {"homePage": IRI, "name": {"type": "string", "minLength": 1}},
            "additionalProperties": False,
        },
        "agent": {
            "type": "object",
            "properties": {
                "objectType": {"const": "Agent"},
                "name": {"type": "string"},
                "mbox": {"type": "string", "pattern": r"^mailto:[^@\s]+@[^@\s]+$"},
                "mbox_sha1sum": {"type": "string", "pattern": r"^[0-9a-f]{40}$"},
                "openid": IRI,
                "account": {"$ref": "#/$defs/account"},
            },
            "additionalProperties": False,
            # Exactly one inverse functional identifier.
            "oneOf": [
                {"required": ["mbox"]},
                {"required": ["mbox_sha1sum"]},
                {"required": ["openid"]},
                {"required": ["account"]},
            ],
        },
        "verb": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": IRI, "display": LANGUAGE_MAP},
            "additionalProperties": False,
        },
        "activity": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "objectType": {"const": "Activity"},
                "id": IRI,
                "definition": {
                    "type": "object",
                    "properties": {
                        "name": LANGUAGE_MAP,
                        "description": LANGUAGE_MAP,
                        "type": IRI,
                        "moreInfo": IRI,
                        "extensions": EXTENSIONS,
                    },
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
        "activities": {
            "anyOf": [
                {"$ref": "#/$defs/activity"},
                {"type": "array", "items": {"$ref": "#/$defs/activity"}},
            ]
        },
        "result": {
            "type": "object",
            "properties": {
                "score": {
                    "type": "object",
                    "properties": {
                        "scaled": {"type": "number", "minimum": -1, "maximum": 1},
                        "raw": {"type": "number"},
                        "min": {"type": "number"},
                        "max": {"type": "number"},
                    },
                    "additionalProperties": False,
                },
                "success": {"type": "boolean"},
                "completion": {"type": "boolean"},
                "response": {"type": "string"},
                "duration": DURATION,
                "extensions": EXTENSIONS,
            },
            "additionalProperties": False,
        },
        "context": {
            "type": "object",
            "properties": {
                "registration": UUID,
                "instructor": {"$ref": "#/$defs/agent"},
                "contextActivities": {
                    "type": "object",
                    "propertyNames": {"enum": ["parent", "grouping", "category", "other"]},
                    "additionalProperties": {"$ref": "#/$defs/activities"},
                },
                "revision": {"type": "string"},
                "platform": {"type": "string"},
                "language": {"type": "string", "pattern": LANGUAGE_TAG},
                "extensions": EXTENSIONS,
            },
            "additionalProperties": False,
        },
    },
    "type": "object",
    "required": ["actor", "verb", "object"],
    "properties": {
        "id": UUID,
        "actor": {"$ref": "#/$defs/agent"},
        "verb": {"$ref": "#/$defs/verb"},
        "object": {"$ref": "#/$defs/activity"},
        "result": {"$ref": "#/$defs/result"},
        "context": {"$ref": "#/$defs/context"},
        "timestamp": TIMESTAMP,
        "version": {"type": "string", "pattern": r"^1\.0(\.\d+)?$"},
    },
    "additionalProperties": False,
}


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(SCHEMA)
    return Draft202012Validator(SCHEMA)


def statement_errors(statement: dict[str, Any]) -> list[str]:
    """What makes `statement` invalid (empty when it is valid), each as "where: why"."""
    errors = [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(statement)'}: {error.message}"[
            :200
        ]
        for error in sorted(_validator().iter_errors(statement), key=lambda e: list(e.path))
    ]
    score = (statement.get("result") or {}).get("score") or {}
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and low > high:
        errors.append("result/score: min is above max")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        errors.append("result/score/raw: outside min and max")
    return errors
