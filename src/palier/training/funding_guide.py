"""What each funding route is, in Palier's words: who it is for, how to ask, what it covers,
and the official text it rests on. Shown on the funding page, on the learner's plan and in
the API (by route code). The rules of who may use which route are in funding.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from palier.training.funding import FundingRoute

CODE_DE_LA_SANTE_PUBLIQUE = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072665"
CODE_DU_TRAVAIL = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050"


@dataclass(frozen=True)
class RouteGuide:
    code: str
    who: Promise
    how: Promise  # what to do: shown on the plan beside each module
    covers: Promise
    source: str  # the official text and article ("" for none)
    source_url: str  # the code on Legifrance ("" when no stable address)
    site_url: str = ""  # the funder's own site, where to ask

    @property
    def label(self) -> str:
        return str(FundingRoute(self.code).label)


GUIDES: dict[str, RouteGuide] = {
    guide.code: guide
    for guide in (
        RouteGuide(
            FundingRoute.DPC,
            who=_(
                "Les professionnels de santé, qui doivent suivre un parcours de développement "
                "professionnel continu sur chaque période de trois ans. L'Agence nationale du "
                "DPC (ANDPC) paie pour les libéraux et les salariés des centres de santé "
                "conventionnés ; les autres salariés suivent les actions DPC financées par leur "
                "employeur."
            ),
            how=_(
                "Libéral ou salarié d'un centre de santé : inscrivez-vous sur mondpc.fr avec le "
                "numéro de l'action, avant qu'elle commence. Autre salarié : demandez-la à votre "
                "employeur ; elle compte aussi pour votre obligation de DPC."
            ),
            covers=_(
                "Le coût de l'action, dans la limite du forfait annuel fixé pour votre "
                "profession, et pour les libéraux une indemnisation du temps passé en formation."
            ),
            source="Code de la santé publique, art. L4021-1 et suivants",
            source_url=CODE_DE_LA_SANTE_PUBLIQUE,
            site_url="https://www.agencedpc.fr/",
        ),
        RouteGuide(
            FundingRoute.ANFH,
            who=_(
                "Les agents des établissements publics de santé, sociaux et médico-sociaux "
                "(fonction publique hospitalière), quel que soit leur métier."
            ),
            how=_(
                "Demandez la formation au service de formation de votre établissement, qui la "
                "fait financer par l'ANFH sur son plan de formation."
            ),
            covers=_(
                "Le coût de la formation et, selon les règles de l'établissement, les frais de "
                "déplacement ; le temps de formation est du temps de travail."
            ),
            source="Décret n° 2008-824 du 21 août 2008 (formation des agents de la fonction "
            "publique hospitalière)",
            source_url="",
            site_url="https://www.anfh.fr/",
        ),
        RouteGuide(
            FundingRoute.OPCO,
            who=_(
                "Les salariés du secteur privé. Les structures sanitaires, médico-sociales et "
                "sociales privées relèvent le plus souvent de l'OPCO Santé."
            ),
            how=_(
                "Parlez-en à votre employeur : c'est lui qui demande la prise en charge à son "
                "opérateur de compétences, avant le début de la formation."
            ),
            covers=_(
                "Tout ou partie du coût de la formation, selon les règles de la branche ; "
                "l'OPCO finance surtout les entreprises de moins de cinquante salariés."
            ),
            source="Code du travail, art. L6332-1",
            source_url=CODE_DU_TRAVAIL,
            site_url="https://www.opco-sante.fr/",
        ),
        RouteGuide(
            FundingRoute.FIFPL,
            who=_(
                "Les professionnels de santé libéraux qui versent la contribution à la "
                "formation professionnelle (infirmiers, kinésithérapeutes, orthophonistes, "
                "sages-femmes…). Les médecins libéraux relèvent d'un autre fonds, le FAF-PM."
            ),
            how=_(
                "Faites la demande en ligne sur fifpl.fr, dans les délais et selon les critères "
                "de prise en charge que le fonds fixe chaque année pour votre profession : "
                "le plus sûr est de la faire avant le début de la formation."
            ),
            covers=_(
                "Le coût de la formation, dans la limite d'un plafond par jour et par an fixé "
                "chaque année pour votre profession."
            ),
            source="Code du travail, art. L6331-48 et suivants",
            source_url=CODE_DU_TRAVAIL,
            site_url="https://www.fifpl.fr/",
        ),
        RouteGuide(
            FundingRoute.CPF,
            who=_(
                "Toute personne qui travaille ou a travaillé : salariés, libéraux et agents "
                "publics (pour eux, le compte est en heures et s'utilise avec l'accord de "
                "l'employeur)."
            ),
            how=_(
                "Salarié ou libéral : cherchez la formation sur moncompteformation.gouv.fr et "
                "inscrivez-vous-y ; seules les formations qui préparent une certification "
                "inscrite au RNCP ou au Répertoire spécifique y figurent, et une participation "
                "forfaitaire peut rester à votre charge. Agent public : demandez à votre "
                "employeur d'utiliser les heures de votre compte."
            ),
            covers=_("Le coût de la formation, dans la limite des droits acquis sur votre compte."),
            source="Code du travail, art. L6323-1 et suivants (formations éligibles : art. "
            "L6323-6)",
            source_url=CODE_DU_TRAVAIL,
            site_url="https://www.moncompteformation.gouv.fr/",
        ),
        RouteGuide(
            FundingRoute.EMPLOYER_PLAN,
            who=_("Les salariés et les agents publics, dans le secteur public comme privé."),
            how=_(
                "Demandez la formation à votre responsable ou au service des ressources "
                "humaines, par exemple lors de votre entretien professionnel."
            ),
            covers=_(
                "Le coût de la formation, payé par l'employeur ; le temps de formation est en "
                "principe du temps de travail rémunéré."
            ),
            source="Code du travail, art. L6321-1 (obligation d'adaptation des salariés)",
            source_url=CODE_DU_TRAVAIL,
        ),
        RouteGuide(
            FundingRoute.FREE,
            who=_("Tout le monde."),
            how=_("Inscrivez-vous directement auprès de l'organisme : il n'y a rien à financer."),
            covers=_("L'organisme ne demande aucun frais."),
            source="",
            source_url="",
        ),
    )
}
