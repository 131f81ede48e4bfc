"""Fetch-and-authorise helpers for provider staff, on top of the organisation gate.

Outsiders get 404 from `access_organisation` (an organisation's existence does not leak);
members who are not admins get 403; objects of another organisation are 404."""

from __future__ import annotations

from django.http import Http404

from palier.accounts.models import User
from palier.organisations.access import access_organisation
from palier.organisations.models import Organisation
from palier.training.models import Module, PlanEntry
from palier.training.queries import confirmation_requests


def access_provider_admin(user: User, slug: str) -> Organisation:
    """The organisation `slug`, for one of its admins."""
    organisation, _membership = access_organisation(user, slug, admin_required=True)
    return organisation


def access_provider_module(user: User, slug: str, code: str) -> tuple[Organisation, Module]:
    """One of the organisation's own modules, for one of its admins."""
    organisation = access_provider_admin(user, slug)
    module = Module.objects.filter(code=code, provider=organisation).first()
    if module is None:
        raise Http404
    return organisation, module


def access_confirmation_request(
    user: User, slug: str, entry_id: int
) -> tuple[Organisation, PlanEntry]:
    """A learner's completed plan entry on one of the organisation's modules, with a request
    for confirmation, for one of its admins: exactly the entries the confirmation page lists."""
    organisation = access_provider_admin(user, slug)
    entry = confirmation_requests(organisation).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return organisation, entry
