"""Calibration pages for psychometricians, mounted at /psychometrie/."""

from django.urls import path

from palier.psychometrics import views

app_name = "psychometrics"

urlpatterns = [
    path("calibrations/", views.calibrations, name="calibrations"),
    path("calibrations/nouvelle/", views.start, name="start"),
    path("calibrations/calculs/<int:run_id>/", views.run, name="run"),
    path("calibrations/calculs/<int:run_id>/etat/", views.run_status, name="run_status"),
    path("calibrations/calculs/<int:run_id>/activer/", views.activate, name="activate"),
    path(
        "calibrations/referentiels/<int:framework_id>/retour/",
        views.roll_back,
        name="roll_back",
    ),
]
