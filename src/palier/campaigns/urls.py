"""Learner pages: join a campaign with its code, take part, share, stop sharing."""

from django.urls import path

from palier.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.my_campaigns, name="mine"),
    path("rejoindre/<str:code>/", views.join, name="join"),
    path("participation/<int:participation_id>/", views.participation, name="participation"),
    path("organisme/<int:organisation_id>/partage/", views.sharing, name="sharing"),
]
