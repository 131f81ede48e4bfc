"""Writes on awards: attaching the awardee's campaigns, modules and certification sessions
to an award, and detaching them. The callers went through `award_access.access_award(...,
manage=True)`; these functions check what is attached (the awardee's own objects only).
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from palier.core.errors import ServiceError
from palier.steering.award_access import CAMPAIGN, MODULE, SESSION, attachable
from palier.steering.models import Award, AwardCampaign, AwardModule, AwardSession

# Per kind: the link model and the name of its field holding the attached object.
LINKS: dict[str, tuple[type[models.Model], str]] = {
    CAMPAIGN: (AwardCampaign, "campaign"),
    MODULE: (AwardModule, "module"),
    SESSION: (AwardSession, "session"),
}


class AwardError(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(400, code, message)


@transaction.atomic
def attach(award: Award, kind: str, object_id: int) -> models.Model:
    """Attach the awardee's campaign, module or session `object_id` (by `kind`) to the
    award. Refused (nothing changes) for another organisation's object or one already
    attached to an award."""
    target = attachable(award, kind).filter(pk=object_id).first()
    if target is None:
        raise _not_attachable()
    link_model, field = LINKS[kind]
    try:
        with transaction.atomic():
            link_model.objects.create(award=award, **{field: target})
    except IntegrityError as error:  # attached meanwhile by someone else
        raise _not_attachable() from error
    return target


def _not_attachable() -> AwardError:
    return AwardError(
        "not_attachable",
        _(
            "Seuls les campagnes, modules et sessions de l'organisation lauréate qui ne sont "
            "rattachés à aucun projet peuvent être rattachés."
        ),
    )


@transaction.atomic
def detach(award: Award, kind: str, object_id: int) -> bool:
    """Detach the object `object_id` (by `kind`) from the award; False when it was not
    attached to this award (nothing changes)."""
    link_model, field = LINKS[kind]
    deleted, _rows = link_model.objects.filter(award=award, **{f"{field}_id": object_id}).delete()
    return bool(deleted)


def attach_campaign(award: Award, campaign_id: int) -> models.Model:
    return attach(award, CAMPAIGN, campaign_id)


def attach_module(award: Award, module_id: int) -> models.Model:
    return attach(award, MODULE, module_id)


def attach_session(award: Award, session_id: int) -> models.Model:
    return attach(award, SESSION, session_id)
