"""Where credentials are fetched: the candidate's download, and the public documents a
verifier needs (the issuer's keys as a JWKS and as a did:web document, the revocation
status list). The public ones carry no personal data and allow any origin, so that
verifiers running in a browser can read them."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from palier.certification import credentials, status_list
from palier.certification.access import access_candidacy
from palier.certification.credential_services import current_key, issue_credential
from palier.certification.errors import CertificationError
from palier.core.errors import error_response
from palier.core.http import method_not_allowed

PUBLIC_MAX_AGE_SECONDS = 300
# OB 3.0, "Web Resource": a VC-JWT is served as its compact JWS, as text/plain.
JWT_CONTENT_TYPE = "text/plain; charset=utf-8"
STATUS_LIST_CONTENT_TYPE = "application/vc+jwt"


def _public(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE_SECONDS}"
    return response


def _refused(error: CertificationError) -> HttpResponse:
    return error_response(error.status, error.code, error.message)


@login_not_required
def jwks(request: HttpRequest) -> HttpResponse:
    """The public keys that verify Palier's credentials (current and former)."""
    refused = method_not_allowed(request, "GET", "HEAD")
    return refused or _public(JsonResponse(credentials.jwks()))


@login_not_required
def did_document(request: HttpRequest) -> HttpResponse:
    """The did:web document of the issuer."""
    refused = method_not_allowed(request, "GET", "HEAD")
    return refused or _public(
        JsonResponse(credentials.did_document(), content_type="application/did+json")
    )


@login_not_required
def status_list_credential(request: HttpRequest) -> HttpResponse:
    """The revocation status list, signed (a BitstringStatusListCredential as a VC-JWT)."""
    refused = method_not_allowed(request, "GET", "HEAD")
    if refused:
        return refused
    try:
        jwt = status_list.signed_status_list(current_key())
    except CertificationError as error:
        return _refused(error)
    response = HttpResponse(jwt, content_type=STATUS_LIST_CONTENT_TYPE)
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def download(request: HttpRequest, candidate_id: str, extension: str) -> HttpResponse:
    """The candidate's credential: `.jwt` is the compact JWS itself (OB 3.0's file format
    for a VC-JWT, what Open Badges backpacks import); `.json` is the same JWS wrapped as a
    VC Data Model 2.0 EnvelopedVerifiableCredential, for JSON tools and VC 2.0 wallets."""
    candidate = access_candidacy(request.user, candidate_id)
    refused = method_not_allowed(request, "GET", "HEAD")
    if refused:
        return refused
    certificate = credentials.downloadable_certificate(candidate)
    if certificate is None:
        raise Http404
    try:
        jwt = issue_credential(certificate)
    except CertificationError as error:
        return _refused(error)
    if extension == "json":
        body = json.dumps(credentials.enveloped(jwt), indent=2)
        response = HttpResponse(body, content_type="application/json")
    else:
        response = HttpResponse(jwt, content_type=JWT_CONTENT_TYPE)
    filename = f"certificat-palier-{certificate.code}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
