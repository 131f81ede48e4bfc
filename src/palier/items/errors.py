"""The error of every refused item-bank operation, with its HTTP status for the API."""

from __future__ import annotations

from palier.core.errors import ServiceError


class ItemError(ServiceError):
    """An item operation was refused. `fields` maps field names to messages."""

    STATUS = {
        "permission_denied": 403,
        "invalid_transition": 409,
        "own_item": 409,
        "duplicate_code": 409,
        "duplicate_report": 409,
        "too_many_reports": 429,
    }

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(self.STATUS.get(code, 422), code, message, fields)
