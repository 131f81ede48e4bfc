"""Security by default: every page needs a signed-in user unless it is explicitly public."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The pages anyone may see. Adding a public page means adding it here, on purpose.
PUBLIC_VIEWS = {
    "platform:home",
    "core:accessibility",
    "core:legal_notice",
    "core:personal_data",
    "core:favicon",  # browsers ask for it before anyone signs in
    "assessments:verify",  # whoever holds a result PDF checks its code (rate-limited)
    # What verifiers of a certificate's credential fetch: public keys and revocation list.
    "credentials:jwks",
    "credentials:did",
    "credentials:status_list",
    "certificate_verification:form",  # anyone types a certificate's code (rate-limited)
    "certificate_verification:verify",  # a certificate's QR code leads there (rate-limited)
    "frameworks:index",
    "frameworks:detail",
    "frameworks:area",
    "frameworks:targets",
    "frameworks:case",
    "accounts:signup",
    "accounts:signup_done",
    "accounts:confirm_email",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "set_language",
    "training:catalogue",
    "training:module",
    "training:resource",
    "training:provider",
    "training:funding",  # what each funding route is: public, like the catalogue
    # Signing in through an OpenID provider: before a session exists (the link page asks
    # the owner of an existing account for its password; logout ends at the provider).
    "integrations_oidc:start",
    "integrations_oidc:callback",
    "integrations_oidc:link",
    "integrations_oidc:logout",
    # LTI 1.3: what a learning platform calls before anyone is signed in (signed messages).
    "lti:jwks",
    "lti:login",
    "lti:launch",
}


def named_patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def test_only_the_listed_pages_are_public():
    public = {
        name
        for name, view in named_patterns(get_resolver())
        if not name.startswith("api") and getattr(view, "login_required", True) is False
    }
    assert public == PUBLIC_VIEWS


def test_a_private_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/compte/organisations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=")
