"""Denominator and target pages, in the `steering_denominators` namespace. Included at the
site's root inside the translated patterns: an institution's figures under
/organisations/<slug>/effectifs/, steering's under /pilotage/effectifs/ and /pilotage/cibles/.
"""

from django.urls import path

from palier.steering import denominator_views, target_views

app_name = "steering_denominators"

urlpatterns = [
    path(
        "organisations/<slug:slug>/effectifs/",
        denominator_views.organisation_denominators,
        name="organisation",
    ),
    path(
        "organisations/<slug:slug>/effectifs/declarer/",
        denominator_views.declare_enrolment,
        name="declare",
    ),
    path(
        "organisations/<slug:slug>/effectifs/importer/",
        denominator_views.import_enrolments,
        name="import",
    ),
    path(
        "organisations/<slug:slug>/effectifs/importer/confirmer/",
        denominator_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "organisations/<slug:slug>/effectifs/modele.csv",
        denominator_views.import_template,
        name="import_template",
    ),
    path("pilotage/effectifs/", denominator_views.national_totals, name="national"),
    path("pilotage/effectifs/saisir/", denominator_views.national_total_form, name="national_form"),
    path("pilotage/cibles/", target_views.target_list, name="targets"),
    path("pilotage/cibles/nouvelle/", target_views.target_new, name="target_new"),
    path("pilotage/cibles/<slug:code>/", target_views.target_detail, name="target"),
]
