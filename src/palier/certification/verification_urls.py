"""The public verification of certificates, under /verifier/ (see verification_views)."""

from django.urls import path, re_path

from palier.certification import verification_views

app_name = "certificate_verification"
urlpatterns = [
    path("", verification_views.verify_form, name="form"),
    # The QR code's link has no trailing slash; a typed one may have it.
    re_path(r"^(?P<code>[^/]+)/?$", verification_views.verify, name="verify"),
]
