"""The refusals of certification operations."""

from palier.core.errors import ServiceError


class CertificationError(ServiceError):
    """A refused certification operation (status, stable code, message for people)."""
