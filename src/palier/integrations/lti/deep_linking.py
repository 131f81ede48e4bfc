"""Deep linking: a teacher picks what the course link opens, Palier signs the answer.

The choice is "the positioning test" (all areas or chosen ones) or one campaign of an
organisation the teacher is staff of. The link carries it as custom parameters (launches.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from palier.accounts.models import User
from palier.campaigns.models import Campaign
from palier.frameworks.queries import current_framework
from palier.integrations.lti.launches import CUSTOM_AREAS, CUSTOM_CAMPAIGN
from palier.integrations.lti.models import Platform
from palier.integrations.lti.tool import ToolRegistration

CLAIM_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
# The score scale a new line item gets; platforms rescale it as they like.
LINE_ITEM_MAXIMUM = 100


def teacher_campaigns(user: User) -> Any:
    """Campaigns of the organisations the teacher is staff of, open or upcoming first."""
    return (
        Campaign.objects.filter(organisation__memberships__user=user)
        .select_related("organisation")
        .order_by("-opens_on", "name")
    )


class ChoiceForm(forms.Form):
    what = forms.ChoiceField(
        label=gettext_lazy("Que doit ouvrir ce lien ?"),
        choices=[
            ("test", gettext_lazy("Le test de positionnement")),
            ("campaign", gettext_lazy("Une campagne de mon organisme")),
        ],
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label=gettext_lazy("Domaines du test (aucun coché : tous les domaines)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campagne"), queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = teacher_campaigns(user)
        framework = current_framework()
        areas = framework.areas.order_by("number") if framework is not None else []
        self.fields["areas"].choices = [(area.code, f"{area.code} · {area}") for area in areas]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("what") == "campaign" and not data.get("campaign"):
            self.add_error("campaign", _("Choisissez la campagne."))
        return data


def resource_for(data: dict[str, Any], launch_url: str) -> DeepLinkResource:
    """The content item for the teacher's choice, with a line item for the score."""
    resource = DeepLinkResource().set_url(launch_url)
    if data["what"] == "campaign":
        campaign: Campaign = data["campaign"]
        title = campaign.name
        resource.set_custom_params({CUSTOM_CAMPAIGN: campaign.code})
        resource.set_lineitem(
            LineItem()
            .set_label(title)
            .set_score_maximum(LINE_ITEM_MAXIMUM)
            .set_resource_id(f"palier-campaign-{campaign.code}")
        )
    else:
        areas = sorted(data.get("areas") or [])
        title = _("Test de positionnement Palier")
        if areas:
            title = f"{title} ({', '.join(areas)})"
        resource.set_custom_params({CUSTOM_AREAS: ",".join(areas)})
    return resource.set_title(title)


def response_jwt(
    platform: Platform, deployment_id: str, settings: dict[str, Any], resource: DeepLinkResource
) -> str:
    """The signed LtiDeepLinkingResponse the browser posts back to the platform."""
    link = DeepLink(ToolRegistration(platform), deployment_id, settings)
    return link.get_response_jwt([resource])
