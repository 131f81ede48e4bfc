"""Organisation staff pages: campaigns, dashboards, imports, exports, team and API tokens."""

from django.urls import path

from palier.campaigns import dashboard_views, staff_views, team_views, transfer_views

app_name = "organisations"
urlpatterns = [
    path("invitation/<str:token>/", team_views.invitation, name="invitation"),
    path("<slug:slug>/campagnes/nouvelle/", staff_views.campaign_create, name="campaign_create"),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/modifier/",
        staff_views.campaign_edit,
        name="campaign_edit",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/qr.svg",
        staff_views.campaign_qr,
        name="campaign_qr",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/attendus/",
        transfer_views.expected_import,
        name="expected_import",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/attendus/modele.csv",
        transfer_views.expected_template,
        name="expected_template",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/export.csv",
        transfer_views.export_csv,
        name="export_csv",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/export.xlsx",
        transfer_views.export_xlsx,
        name="export_xlsx",
    ),
    path("<slug:slug>/equipe/", team_views.team, name="team"),
    path("<slug:slug>/equipe/inviter/", team_views.team_invite, name="team_invite"),
    path(
        "<slug:slug>/equipe/membres/<int:membership_id>/role/",
        team_views.team_role,
        name="team_role",
    ),
    path(
        "<slug:slug>/equipe/membres/<int:membership_id>/retirer/",
        team_views.team_remove,
        name="team_remove",
    ),
    path(
        "<slug:slug>/equipe/invitations/<int:invitation_id>/annuler/",
        team_views.team_cancel_invitation,
        name="team_cancel_invitation",
    ),
    path("<slug:slug>/jetons/", team_views.tokens, name="tokens"),
    path(
        "<slug:slug>/jetons/<int:token_id>/revoquer/",
        team_views.token_revoke,
        name="token_revoke",
    ),
    path("<slug:slug>/", dashboard_views.overview, name="overview"),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/",
        dashboard_views.dashboard,
        name="dashboard",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/participants/",
        dashboard_views.participants,
        name="participants",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/participants/<int:participation_id>/",
        dashboard_views.participant,
        name="participant",
    ),
]
