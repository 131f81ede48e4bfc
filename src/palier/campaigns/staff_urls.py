"""Organisation staff pages of campaigns: campaigns, dashboards, imports, exports.

Mounted under /organisations/ in the `organisations` namespace, beside the organisations
app's own pages (team, API tokens), by the root URLconf."""

from django.urls import path

from palier.campaigns import (
    dashboard_views,
    group_views,
    import_views,
    invite_views,
    staff_views,
    transfer_views,
)

urlpatterns = [
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
    # Bringing learners in: invitation page, QR code as PNG, join sheet, reminders.
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/inviter/",
        invite_views.campaign_invite,
        name="campaign_invite",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/qr.png",
        invite_views.campaign_qr_png,
        name="campaign_qr_png",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/fiche-inscription.pdf",
        invite_views.campaign_join_sheet,
        name="campaign_join_sheet",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/relances/",
        invite_views.campaign_reminders,
        name="campaign_reminders",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/attendus/",
        import_views.expected_import,
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
    # Groups of learners, the expected learners' import confirmation.
    path("<slug:slug>/groupes/", group_views.groups, name="groups"),
    path(
        "<slug:slug>/groupes/<int:group_id>/",
        group_views.group_edit,
        name="group_edit",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/attendus/confirmer/",
        import_views.expected_import_confirm,
        name="expected_import_confirm",
    ),
    path(
        "<slug:slug>/campagnes/<int:campaign_id>/participants/<int:participation_id>/groupes/",
        group_views.participant_groups,
        name="participant_groups",
    ),
]
