"""Organisation staff pages: campaigns, dashboards, imports, exports, team and API tokens."""

from django.urls import path

from palier.campaigns import staff_views

app_name = "organisations"
urlpatterns = [
    path("", staff_views.organisations, name="list"),
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
]
