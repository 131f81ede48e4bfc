from django.urls import path

from palier.integrations.lti import views

app_name = "lti"
urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("connexion/", views.login_initiation, name="login"),
    path("lancement/", views.launch, name="launch"),
    path("lier-mon-compte/", views.link, name="link"),
    path("inserer/", views.deep_link, name="deep_link"),
]
urlpatterns += [
    path(
        "organismes/<slug:slug>/campagnes/<int:campaign_id>/",
        views.campaign_courses,
        name="campaign_courses",
    ),
]
