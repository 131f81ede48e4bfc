"""Fetch-and-authorise helpers: the public catalogue, the learner's own plan entries, and
provider staff on top of the organisation gate.

Catalogue objects are public once published (anything else is 404); a plan entry is its
learner's only (another learner's is 404, like an unknown one). For staff, outsiders get 404
from `access_organisation` (an organisation's existence does not leak); members who are not
admins get 403; objects of another organisation are 404."""

from __future__ import annotations

from django.http import Http404

from palier.accounts.models import User
from palier.organisations.access import access_organisation
from palier.organisations.models import Organisation
from palier.training.models import Module, PlanEntry, Resource
from palier.training.queries import confirmation_requests, upcoming_sessions


def access_published_module(code: str) -> Module:
    """A published module with what its public page and the API show (404 otherwise)."""
    module = (
        Module.objects.select_related("provider")
        .prefetch_related("capacities__competence__area", "populations", upcoming_sessions())
        .filter(code=code, status=Module.Status.PUBLISHED)
        .first()
    )
    if module is None:
        raise Http404
    return module


def access_resource(code: str) -> Resource:
    """A self-study resource (all are public), 404 when unknown."""
    resource = Resource.objects.select_related("competence__area").filter(code=code).first()
    if resource is None:
        raise Http404
    return resource


def access_provider(slug: str) -> tuple[Organisation, list[Module]]:
    """A provider's public page: the organisation and its published modules; 404 for an
    organisation that publishes none (its existence does not leak)."""
    provider = Organisation.objects.filter(slug=slug).first()
    modules = (
        list(provider.modules.filter(status=Module.Status.PUBLISHED).order_by("title_fr"))
        if provider is not None
        else []
    )
    if not modules:
        raise Http404
    return provider, modules


def access_plan_item(
    module_code: str | None, resource_code: str | None
) -> tuple[Module | None, Resource | None]:
    """The module and/or resource a learner asks to add to their plan, by code; 404 when a
    code given is unknown (whether a module may be added is the service's rule)."""
    module = Module.objects.filter(code=module_code).first() if module_code else None
    resource = Resource.objects.filter(code=resource_code).first() if resource_code else None
    if (module_code and module is None) or (resource_code and resource is None):
        raise Http404
    return module, resource


def access_plan_entry(user: User, entry_id: int) -> PlanEntry:
    """One entry of the learner's own plan; another learner's is 404, like an unknown one."""
    entry = PlanEntry.objects.filter(pk=entry_id, user=user).first()
    if entry is None:
        raise Http404
    return entry


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
