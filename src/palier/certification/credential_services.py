"""The one write of the credentials: which key signed a certificate's credential."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from palier.certification.credentials import signed_credential
from palier.certification.errors import CertificationError
from palier.certification.keys import CredentialKeyMissing, SigningKey, signing_key
from palier.certification.models import Certificate

UNAVAILABLE = "credentials_unavailable"


def current_key() -> SigningKey:
    """The signing key, or a 503 refusal (stable code) when the platform has none."""
    try:
        return signing_key()
    except CredentialKeyMissing:
        raise CertificationError(
            503,
            UNAVAILABLE,
            _("Le badge numérique n'est pas disponible pour le moment. Réessayez plus tard."),
        ) from None


def issue_credential(certificate: Certificate) -> str:
    """The certificate's credential as a VC-JWT signed by the current key, recording that
    key's id on the certificate (so a rotation shows which certificates an old key signed).
    Refused with a 503 CertificationError when no key is configured."""
    key = current_key()
    jwt = signed_credential(certificate, key)
    if certificate.key_id != key.kid:
        with transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(key_id=key.kid)
        certificate.key_id = key.kid
    return jwt
