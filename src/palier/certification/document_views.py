"""The candidate downloads their certificate as a PDF (`documents.certificate_pdf`).

Centre staff get the attendance sheet and the session report from their session pages
(`documents.attendance_sheet_pdf`, `documents.session_report_pdf`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from palier.certification.access import access_candidacy
from palier.certification.documents import certificate_pdf
from palier.certification.models import Certificate
from palier.core.http import method_not_allowed
from palier.core.i18n import content_language


def certificate_download(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The certificate of one of the user's candidacies, once its result is published
    (404 before, and when no level was certified)."""
    candidate = access_candidacy(request.user, candidate_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    certificate = (
        Certificate.objects.select_related("candidate__session__centre__organisation")
        .filter(candidate=candidate, candidate__published_at__isnull=False)
        .first()
    )
    if certificate is None:
        raise Http404
    response = HttpResponse(
        certificate_pdf(certificate, content_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="palier-certificat-{certificate.code}.pdf"'
    )
    return response
