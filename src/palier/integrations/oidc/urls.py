from django.urls import path

from palier.integrations.oidc import views

app_name = "integrations_oidc"
urlpatterns = [
    path("retour/", views.callback, name="callback"),
    path("relier/", views.link_account, name="link"),
    path("deconnexion/", views.logout_everywhere, name="logout"),
    path("<str:key>/", views.start, name="start"),
]
