"""The revocation status list of Palier's credentials (W3C Bitstring Status List v1.0).

Every certificate has a fixed position (`status_index`) in one list; the bit at that
position is 1 once the certificate is revoked. The list is published as a
`BitstringStatusListCredential` whose `encodedList` is the multibase base64url ("u" prefix,
no padding) of the GZIP-compressed bitstring, index 0 being the left-most bit of the first
byte. It has at least 131,072 entries (16 KB), the specification's minimum, so that a
single revocation says little about whom it concerns; it grows by that step when indexes
go further. It is signed as a VC-JWT by the same key as the credentials and built afresh
on each request (a few milliseconds), so a revocation shows at once.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from typing import Any

from palier.certification.credentials import (
    VC_CONTEXT,
    issuer_did,
    now_iso,
    sign_jwt,
    status_list_url,
)
from palier.certification.keys import SigningKey, b64url, signing_key
from palier.certification.models import Certificate

MIN_ENTRIES = 131_072
MULTIBASE_BASE64URL = "u"
STATUS_PURPOSE = "revocation"


def list_length(highest_index: int) -> int:
    """Entries of a list holding `highest_index`: a multiple of the minimum size."""
    return (highest_index // MIN_ENTRIES + 1) * MIN_ENTRIES


def encode_bitstring(set_indexes: Iterable[int], length: int = MIN_ENTRIES) -> str:
    """The encodedList of a list of `length` entries with the bits at `set_indexes` set."""
    bits = bytearray(length // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always compresses to the same bytes.
    return MULTIBASE_BASE64URL + b64url(gzip.compress(bytes(bits), mtime=0))


def revoked_indexes() -> list[int]:
    return list(
        Certificate.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True)
    )


def status_list_credential() -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of every certificate."""
    highest = Certificate.objects.order_by("-status_index").values_list("status_index", flat=True)
    url = status_list_url()
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": now_iso(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bitstring(revoked_indexes(), list_length(highest.first() or 0)),
        },
    }


def signed_status_list(key: SigningKey | None = None) -> str:
    """The status list as a VC-JWT signed by the current key."""
    return sign_jwt(status_list_credential(), key or signing_key())
