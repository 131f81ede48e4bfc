"""A certificate as an Open Badges 3.0 verifiable credential, signed as a VC-JWT.

`credential_for(certificate)` builds the unsigned `OpenBadgeCredential` (W3C VC Data Model
2.0 with the OB 3.0 context). Its achievement is the Palier certification of the
certificate's framework version; each certified area level is one `Result` of the subject,
pointing to the area's `ResultDescription` and to the level reached. (OB 3.0 gives a
credential subject exactly one achievement, so "one achievement per certified area level"
is expressed the OB 3.0 way: one result per certified level, each aligned to the
framework's CASE identifiers; areas without a certified level are left out.)

`signed_credential(certificate)` returns the credential as a compact JWS (VC-JOSE-COSE:
the payload is the credential itself, header alg EdDSA, typ vc+jwt, kid the DID URL of the
key), with the JWT claims that OB 3.0 requires beside it (iss, jti, nbf, sub).

The credential's words are French and fixed: they are part of the signed data, so they do
not follow the language of whoever downloads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from palier.certification.keys import SigningKey, b64url, configured_keys, signing_key
from palier.certification.models import Candidate, Certificate
from palier.frameworks.case import case_identifier, export_case
from palier.frameworks.models import Area, Competence, Framework, Level

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
JWT_TYPE = "vc+jwt"
JWT_ALGORITHM = "EdDSA"
ISSUER_NAME = "Palier"
# The public verification page of a certificate (the credential's id, a page anyone opens).
VERIFICATION_PATH = "/verifier/{code}"
_SUBJECT_NAMESPACE = uuid.UUID("0c6f3d52-5a0e-4a8e-9a5b-2f0d6e7c9b41")
_SALT_CONTEXT = b"palier credential identity salt"


def issuer_did() -> str:
    """did:web of PALIER_BASE_URL's host (a port is percent-encoded, as did:web requires).
    The DID document is served at /.well-known/did.json, so Palier must run at the root of
    its host for the DID to resolve."""
    netloc = urlsplit(settings.BASE_URL).netloc
    return "did:web:" + quote(netloc, safe="")


def verification_method(key: SigningKey) -> str:
    """The DID URL of a key: the JOSE kid of what it signs and its id in the JWKS."""
    return f"{issuer_did()}#{key.kid}"


def absolute(name: str, *args: object) -> str:
    return f"{settings.BASE_URL}{reverse(name, args=args)}"


def status_list_url() -> str:
    return absolute("credentials:status_list")


def isoformat(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_profile() -> dict[str, Any]:
    return {"id": issuer_did(), "type": ["Profile"], "name": ISSUER_NAME, "url": settings.BASE_URL}


def _framework_tree(framework_id: int) -> Framework:
    return Framework.objects.prefetch_related(
        Prefetch("areas", queryset=Area.objects.order_by("number")),
        Prefetch("areas__levels", queryset=Level.objects.order_by("rank")),
        Prefetch("areas__competences", queryset=Competence.objects.order_by("position")),
        "areas__competences__capacities",
    ).get(pk=framework_id)


def _case_uris(framework: Framework) -> dict[str, str]:
    """CASE URI of the framework ("") and of every node code, exactly as the framework's
    CASE export writes them."""
    package = export_case(framework)
    uris = {item["humanCodingScheme"]: item["uri"] for item in package["CFItems"]}
    return {"": package["CFDocument"]["uri"], **uris}


def _alignment(framework: Framework, uris: dict[str, str], code: str, title: str) -> dict:
    return {
        "type": ["Alignment"],
        "targetType": "CFItem",
        "targetCode": case_identifier(framework, code),
        "targetName": title,
        "targetFramework": framework.title_fr,
        "targetUrl": uris[code],
    }


def _result_description_id(achievement_id: str, area: Area) -> str:
    return f"{achievement_id}-{area.code}"


def _level_id(achievement_id: str, area: Area, rank: int) -> str:
    return f"{_result_description_id(achievement_id, area)}-niveau-{rank}"


def _area_alignments(framework: Framework, uris: dict[str, str], area: Area) -> list[dict]:
    return [_alignment(framework, uris, area.code, area.title_fr)] + [
        _alignment(framework, uris, competence.code, competence.title_fr)
        for competence in area.competences.all()
    ]


def achievement_for(framework: Framework, uris: dict[str, str]) -> dict[str, Any]:
    """The Palier certification of one framework version: the same definition for every
    holder, with one result description (the level scale) per area."""
    document_uri = uris[""]
    achievement_id = f"{document_uri}#certification"
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"Certification Palier : {framework.title_fr}",
        "description": (
            "Niveaux de compétences numériques en santé certifiés par domaine du référentiel, "
            "à l'issue d'une épreuve adaptative surveillée dans un centre de certification."
        ),
        "criteria": {
            "narrative": (
                "Un niveau est certifié dans un domaine lorsque la probabilité que le niveau "
                "du candidat soit au moins ce niveau atteint 0,90 à l'issue de l'épreuve "
                "(au moins 20 réponses valides), après décision du jury."
            )
        },
        "inLanguage": "fr",
        "version": framework.version,
        "humanCode": framework.code,
        # The areas the certification covers (CASE items of the framework's export).
        "alignment": [
            _alignment(framework, uris, area.code, area.title_fr) for area in framework.areas.all()
        ],
        "resultDescription": [
            {
                "id": _result_description_id(achievement_id, area),
                "type": ["ResultDescription"],
                "name": f"{area.code} {area.title_fr}",
                "resultType": "RubricCriterionLevel",
                "alignment": _area_alignments(framework, uris, area),
                "rubricCriterionLevel": [
                    {
                        "id": _level_id(achievement_id, area, level.rank),
                        "type": ["RubricCriterionLevel"],
                        "name": level.label_fr,
                        "level": str(level.rank),
                        **({"description": level.description_fr} if level.description_fr else {}),
                    }
                    for level in area.levels.all()
                ],
            }
            for area in framework.areas.all()
        ],
    }


def _identity_salt(certificate: Certificate) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _SALT_CONTEXT, hashlib.sha256)
    digest.update(certificate.code.encode())
    return digest.hexdigest()[:32]


def identifiers(certificate: Certificate) -> list[dict[str, Any]]:
    """The holder as OB 3.0 identity objects: the e-mail address salted and hashed (only
    someone who knows the address can match it) and the name as printed on the
    certificate, which the public verification page shows too."""
    salt = _identity_salt(certificate)
    email = certificate.candidate.user.email.strip().lower()
    identity_hash = hashlib.sha256((email + salt).encode()).hexdigest()
    return [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": f"sha256${identity_hash}",
            "salt": salt,
        },
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": certificate.holder_name,
        },
    ]


def _results(
    certificate: Certificate, framework: Framework, uris: dict[str, str], achievement: dict
) -> list[dict[str, Any]]:
    results = []
    for area in framework.areas.all():
        certified = (certificate.levels.get(area.code) or {}).get("level")
        if not certified:
            continue
        results.append(
            {
                "type": ["Result"],
                "resultDescription": _result_description_id(achievement["id"], area),
                "achievedLevel": _level_id(achievement["id"], area, int(certified)),
                "alignment": [_alignment(framework, uris, area.code, area.title_fr)],
            }
        )
    return results


def downloadable_certificate(candidate: Candidate) -> Certificate | None:
    """The certificate a candidate may download as a credential: issued, result published,
    not revoked (None otherwise)."""
    if candidate.published_at is None:
        return None
    try:
        certificate = candidate.certificate
    except Certificate.DoesNotExist:
        return None
    return None if certificate.is_revoked else certificate


def credential_id(certificate: Certificate) -> str:
    return settings.BASE_URL + VERIFICATION_PATH.format(code=certificate.code)


def credential_for(certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of `certificate`."""
    framework = _framework_tree(certificate.candidate.session.framework_id)
    uris = _case_uris(framework)
    achievement = achievement_for(framework, uris)
    status_url = status_list_url()
    subject_id = uuid.uuid5(_SUBJECT_NAMESPACE, certificate.code).urn
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "description": f"Certificat n° {certificate.code}, délivré à {certificate.holder_name}.",
        "issuer": issuer_profile(),
        "validFrom": isoformat(certificate.issued_at),
        "credentialSubject": {
            # An opaque id per credential (OB 3.0's JWT `sub`), linking nothing else.
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": identifiers(certificate),
            "achievement": achievement,
            "result": _results(certificate, framework, uris, achievement),
        },
        "credentialStatus": {
            "id": f"{status_url}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": OB_SCHEMA_TYPE}],
    }


def _json_part(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def sign_jwt(credential: dict[str, Any], key: SigningKey) -> str:
    """`credential` as a compact JWS signed by `key`, with the JWT claims that mirror it."""
    issuer = credential["issuer"]
    subject = credential["credentialSubject"]
    claims = {
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": int(dt.datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    header = {"alg": JWT_ALGORITHM, "kid": verification_method(key), "typ": JWT_TYPE}
    signing_input = f"{_json_part(header)}.{_json_part({**credential, **claims})}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode('ascii')))}"


def signed_credential(certificate: Certificate, key: SigningKey | None = None) -> str:
    """The certificate's credential as a VC-JWT, signed by `key` (the current key by
    default). Raises keys.CredentialKeyMissing when no key is configured."""
    return sign_jwt(credential_for(certificate), key or signing_key())


def enveloped(jwt: str) -> dict[str, Any]:
    """A VC-JWT as JSON: VC Data Model 2.0's EnvelopedVerifiableCredential."""
    return {
        "@context": [VC_CONTEXT],
        "id": f"data:application/vc+jwt,{jwt}",
        "type": "EnvelopedVerifiableCredential",
    }


def jwks() -> dict[str, Any]:
    """The JWK Set of every configured key (public parts only), each named by its DID URL,
    the kid that the JWTs it signed carry."""
    return {
        "keys": [{**key.public_jwk, "kid": verification_method(key)} for key in configured_keys()]
    }


def did_document() -> dict[str, Any]:
    """The did:web document of the issuer: every configured key may assert credentials."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method(key),
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": {k: v for k, v in key.public_jwk.items() if k not in ("kid", "alg")},
        }
        for key in configured_keys()
    ]
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def now_iso() -> str:
    return isoformat(timezone.now())
