from django.urls import path

from palier.certification import candidate_views, document_views

app_name = "certification"
urlpatterns = [
    path("", candidate_views.home, name="home"),
    path("rejoindre/", candidate_views.join, name="join"),
    path("<int:candidate_id>/", candidate_views.candidacy, name="candidacy"),
    path("<int:candidate_id>/commencer/", candidate_views.start, name="start"),
    path("<int:candidate_id>/signaler/", candidate_views.alert, name="alert"),
    path("<int:candidate_id>/etat/", candidate_views.state, name="state"),
    path("<int:candidate_id>/partager/", candidate_views.share, name="share"),
    path(
        "<int:candidate_id>/certificat.pdf",
        document_views.certificate_download,
        name="certificate_pdf",
    ),
]
