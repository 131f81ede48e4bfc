"""Organisation pages: the user's organisations, an organisation's home, its team and API
tokens, the invitation link.

The root URLconf mounts these in the `organisations` namespace together with the campaigns
staff pages (campaigns.staff_urls), which hang off the same organisation addresses; the
paths here are therefore written from the site root.
"""

from django.urls import path

from palier.organisations import views

urlpatterns = [
    path("compte/organisations/", views.my_organisations, name="mine"),
    path("compte/organisations/<slug:slug>/", views.home, name="home"),
    path("organisations/invitation/<str:token>/", views.invitation, name="invitation"),
    path("organisations/<slug:slug>/equipe/", views.team, name="team"),
    path("organisations/<slug:slug>/equipe/inviter/", views.team_invite, name="team_invite"),
    path(
        "organisations/<slug:slug>/equipe/membres/<int:membership_id>/role/",
        views.team_role,
        name="team_role",
    ),
    path(
        "organisations/<slug:slug>/equipe/membres/<int:membership_id>/retirer/",
        views.team_remove,
        name="team_remove",
    ),
    path(
        "organisations/<slug:slug>/equipe/invitations/<int:invitation_id>/annuler/",
        views.team_cancel_invitation,
        name="team_cancel_invitation",
    ),
    path("organisations/<slug:slug>/jetons/", views.token_list, name="tokens"),
    path(
        "organisations/<slug:slug>/jetons/<int:token_id>/revoquer/",
        views.token_revoke,
        name="token_revoke",
    ),
]
