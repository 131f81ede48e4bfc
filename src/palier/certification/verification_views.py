"""The public page that confirms a certificate: `/verifier/<code>` (the certificate's QR
code leads there) and `/verifier/`, where anyone types a code.

No login. The page shows the holder's name, the certified level per area, the date of issue
and the status (valid, or revoked and when; never why) and nothing else. A malformed code,
an unknown one and the certificate of an erased account get the same 404 page; lookups are
limited per client address (`LOOKUPS_PER_HOUR`, the accounts' throttle), so codes cannot be
enumerated. Pages are not cached nor indexed: a revocation shows at once, and a holder's
name is found only by whoever holds the code.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from palier.accounts.throttle import allow, throttle_key
from palier.certification.codes import normalise_certificate_code
from palier.certification.models import Certificate
from palier.certification.queries import certificate_areas
from palier.core.http import client_ip

TEMPLATE = "certification/verify.html"
LOOKUPS_PER_HOUR = 30
CODE_MAX_LENGTH = 40  # "P-" and 8 characters, with room for spaces and dashes typed
EXAMPLE_CODE = "P-7KQM4XTD"


def example_code() -> SafeString:
    """The example code, kept on one line (a code broken after "P-" reads as two)."""
    return format_html('<span class="certificate-code">{}</span>', EXAMPLE_CODE)


class CertificateCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = gettext("Il figure sous le QR code du certificat, par exemple %(example)s.")
        before, _placeholder, after = hint.partition("%(example)s")
        self.fields["code"].help_text = format_html("{}{}{}", before, example_code(), after)


def lookup_allowed(client: str | None) -> bool:
    """Count one lookup from `client` (an address); False once it reached the limit."""
    return allow([(throttle_key("verify-certificate", client or "unknown"), LOOKUPS_PER_HOUR)])


def verified_certificate(typed: str) -> Certificate | None:
    """The certificate of a typed or scanned code; None when the code is malformed or
    unknown, or when the holder's account was erased."""
    code = normalise_certificate_code(typed)
    if code is None:
        return None
    return (
        Certificate.objects.select_related("candidate__session__framework")
        .filter(code=code, candidate__user__erased_at__isnull=True)
        .first()
    )


def public_name(certificate: Certificate) -> str:
    """The holder's name as the page shows it; never an e-mail address (a certificate
    issued to an account without names would otherwise publish it)."""
    name = certificate.holder_name.strip()
    return "" if "@" in name else name


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context = {"form": CertificateCodeForm(), "example": example_code(), **context}
    response = render(request, TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _lookup(request: HttpRequest, typed: str) -> HttpResponse:
    if not lookup_allowed(client_ip(request)):
        return _page(request, {"throttled": True}, status=429)
    certificate = verified_certificate(typed)
    if certificate is None:
        return _page(request, {"not_found": True}, status=404)
    return _page(
        request,
        {
            "certificate": certificate,
            "holder": public_name(certificate),
            "areas": certificate_areas(certificate),
        },
    )


@login_not_required
@require_safe
@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate of `code` (any case, with or without dashes and spaces)."""
    return _lookup(request, code)


@login_not_required
@require_safe
@never_cache
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a code; a well-formed one leads to its page, any other gets the 404 page."""
    form = CertificateCodeForm(request.GET if "code" in request.GET else None)
    if not form.is_valid():
        return _page(request, {"form": form})
    code = normalise_certificate_code(form.cleaned_data["code"])
    if code is None:
        return _lookup(request, form.cleaned_data["code"])
    return redirect("certificate_verification:verify", code)
