"""Exam-day pages of a session: supervision (invigilators) and jury (the centre's
reviewers). Mounted at /certification/surveillance/ by the root URLconf."""

from django.urls import path

from palier.certification import jury_views, supervision_views

app_name = "supervision"

urlpatterns = [
    path("<int:session_id>/", supervision_views.supervise, name="page"),
    path("<int:session_id>/liste/", supervision_views.live, name="live"),
    path(
        "<int:session_id>/candidats/<int:candidate_id>/autoriser/",
        supervision_views.authorise,
        name="authorise",
    ),
    path(
        "<int:session_id>/candidats/<int:candidate_id>/arreter/",
        supervision_views.end_test,
        name="end_test",
    ),
    path(
        "<int:session_id>/candidats/<int:candidate_id>/appareil/",
        supervision_views.release_device,
        name="release_device",
    ),
    path(
        "<int:session_id>/signalements/<int:alert_id>/valider/",
        supervision_views.validate_alert,
        name="validate_alert",
    ),
    path(
        "<int:session_id>/signalements/<int:alert_id>/rejeter/",
        supervision_views.dismiss_alert,
        name="dismiss_alert",
    ),
    path("<int:session_id>/incidents/", supervision_views.add_incident, name="add_incident"),
    path("<int:session_id>/cloture/", supervision_views.finalise, name="finalise"),
    path("<int:session_id>/jury/", jury_views.jury, name="jury"),
    path("<int:session_id>/jury/publier/", jury_views.publish, name="publish"),
    path(
        "<int:session_id>/jury/candidats/<int:candidate_id>/decision/",
        jury_views.review,
        name="review",
    ),
    path(
        "<int:session_id>/jury/candidats/<int:candidate_id>/revoquer/",
        jury_views.revoke,
        name="revoke",
    ),
]
