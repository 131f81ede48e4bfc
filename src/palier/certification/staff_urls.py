"""A certification centre's staff pages, under /organisations/<slug>/certification/ in the
`certification_staff` namespace (mounted by the root URLconf)."""

from django.urls import path

from palier.certification import shared_views, staff_import_views, staff_views

SESSION = "sessions/<int:session_id>/"

urlpatterns = [
    path("", staff_views.sessions, name="sessions"),
    path("partages/", shared_views.shared, name="shared"),
    path("sessions/nouvelle/", staff_views.session_create, name="session_create"),
    path(SESSION, staff_views.session_detail, name="session"),
    path(f"{SESSION}modifier/", staff_views.session_edit, name="session_edit"),
    path(f"{SESSION}ouvrir/", staff_views.session_open, name="session_open"),
    path(f"{SESSION}annuler/", staff_views.session_cancel, name="session_cancel"),
    path(f"{SESSION}nouveau-code/", staff_views.session_new_code, name="session_new_code"),
    path(f"{SESSION}candidats/", staff_views.candidate_enrol, name="candidate_enrol"),
    path(
        f"{SESSION}candidats/<int:candidate_id>/retirer/",
        staff_views.candidate_remove,
        name="candidate_remove",
    ),
    path(f"{SESSION}import/", staff_import_views.candidate_import, name="candidate_import"),
    path(
        f"{SESSION}import/confirmer/",
        staff_import_views.candidate_import_confirm,
        name="candidate_import_confirm",
    ),
    path(f"{SESSION}import/modele.csv", staff_import_views.import_template, name="import_template"),
    path(f"{SESSION}resultats/", staff_views.results, name="results"),
    path(f"{SESSION}emargement.pdf", staff_views.attendance_sheet, name="attendance_sheet"),
    path(f"{SESSION}rapport.pdf", staff_views.session_report, name="session_report"),
]
