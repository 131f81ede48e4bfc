"""The JSON API under /api/v1/ (django-ninja); schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

from palier.accounts.api import router as accounts_router
from palier.assessments.api import router as assessments_router
from palier.campaigns.api import router as campaigns_router
from palier.campaigns.learner_api import router as campaigns_learner_router
from palier.certification.candidate_api import router as certification_candidate_router
from palier.certification.staff_api import router as certification_staff_router
from palier.core.errors import JsonBodyParser, install_error_handlers
from palier.frameworks.api import router as frameworks_router
from palier.items.api import router as items_router
from palier.organisations.api import router as organisations_router
from palier.steering.api import router as steering_router
from palier.training.api import router as training_router

api = NinjaAPI(
    title="Palier API",
    version="1",
    description=(
        "API de Palier : référentiel de compétences en santé numérique, comptes. "
        'Errors share one shape: {"error": {"code", "message", "fields"}}.'
    ),
    urls_namespace="api",
    docs_url=None,  # the interactive docs load scripts from a CDN, which our CSP forbids
    parser=JsonBodyParser(),
)
install_error_handlers(api)
api.add_router("/frameworks", frameworks_router)
api.add_router("/", accounts_router)
api.add_router("/", items_router)
api.add_router("/", assessments_router)
api.add_router("/", training_router)
api.add_router("/", organisations_router)
api.add_router("/", campaigns_router)
api.add_router("/", campaigns_learner_router)
api.add_router("/", certification_candidate_router)
api.add_router("/", certification_staff_router)
api.add_router("/", steering_router)
