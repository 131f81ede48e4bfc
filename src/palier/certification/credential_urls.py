"""Credential addresses, outside the translated pages: they are part of signed credentials
(the status list) or fixed by standards (/.well-known/), so they never take a language
prefix. The root URLconf includes them at "" before the translated pages."""

from django.urls import path, re_path

from palier.certification import credential_views

app_name = "credentials"
urlpatterns = [
    path(".well-known/jwks.json", credential_views.jwks, name="jwks"),
    path(".well-known/did.json", credential_views.did_document, name="did"),
    path("certification/statut/1", credential_views.status_list_credential, name="status_list"),
    re_path(
        r"^certification/(?P<candidate_id>[0-9]+)/credential\.(?P<extension>jwt|json)$",
        credential_views.download,
        name="download",
    ),
]
