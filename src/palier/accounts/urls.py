from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from palier.accounts import views

app_name = "accounts"
urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("confirmer/<str:token>/", views.confirm_email, name="confirm_email"),
    path("confirmer-a-nouveau/", views.resend_confirmation, name="resend_confirmation"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.password_reset, name="password_reset"),
    path("mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/change/", views.password_reset_complete, name="password_reset_complete"),
    path("profil/", views.profile, name="profile"),
    path("mes-donnees/", views.download_my_data, name="my_data"),
    path("supprimer/", views.delete_account, name="delete"),
    # The national dashboard moved to /pilotage/ (the steering app); old links still work.
    path(
        "pilotage/",
        RedirectView.as_view(pattern_name="steering:dashboard", permanent=True, query_string=True),
    ),
]
