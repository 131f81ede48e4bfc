"""The one JSON error shape of the API: {"error": {"code", "message", "fields"}}.

Codes are stable strings that clients can branch on; messages are for people and follow
the request's language. Every API operation declares `ERROR_RESPONSES` (or a subset) so the
OpenAPI schema lists its 4xx answers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser

from palier.core.uploads import load_json


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ServiceError(Exception):
    """A refused operation, with the HTTP status the API answers with and a stable code.

    Services raise it (or a subclass); the API's handler turns it into the error shape and
    pages show its message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


# API operations raise the same error for input problems found before any service runs.
ApiError = ServiceError


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def _field_name(location: list[Any]) -> str:
    # ninja locations look like ["body", "payload", "region"] or ["query", "limit"]:
    # drop the source and, for bodies, the parameter name, to keep the client's field path.
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(list(error.get("loc", []))), []).append(
            str(error.get("msg", "invalid"))
        )
    return fields


class JsonBodyParser(Parser):
    """django-ninja's body parser with the depth limit: a deeply nested request body is a
    400 (ninja turns any parsing error into one), never a RecursionError later on."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return load_json(request.body)  # type: ignore[no-any-return]


@login_not_required
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any path under /api/ that no operation answers: a JSON 404, not an HTML page."""
    return error_response(404, "not_found", _("Ressource introuvable."))


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "too_many_requests",
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace django-ninja's default error bodies by Palier's error shape."""

    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            422,
            "invalid_input",
            _("Certaines valeurs sont invalides."),
            validation_fields(list(exc.errors)),
        )

    def on_authentication_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(401, "not_authenticated", _("Connexion requise."))

    def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(
            403, "permission_denied", _("Vous n'avez pas les droits pour cette opération.")
        )

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(404, "not_found", _("Ressource introuvable."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc))

    def on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Django answers these with an HTML 400 page (and logs the suspicious ones); the
        # API keeps its JSON shape and the same security log.
        if isinstance(exc, SuspiciousOperation):
            logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(
                "%s", exc, extra={"status_code": 400, "request": request}
            )
        if isinstance(exc, RequestDataTooBig):
            return error_response(
                413, "payload_too_large", _("La requête dépasse la taille autorisée.")
            )
        if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
            return error_response(
                400, "too_many_fields", _("La requête contient trop de champs ou de fichiers.")
            )
        if isinstance(exc, MultiPartParserError | UnreadablePostError):
            return error_response(
                400,
                "malformed_body",
                _("Le corps de la requête est illisible (formulaire multipart mal formé)."),
            )
        return error_response(400, "bad_request", _("Requête refusée."))

    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(AuthorizationError, on_permission_denied)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    for unreadable in (MultiPartParserError, UnreadablePostError, SuspiciousOperation):
        api.add_exception_handler(unreadable, on_unreadable_body)
