"""Programme (award) pages, mounted by the root URLconf under /pilotage/programmes/ in the
`awards` namespace."""

from django.urls import path

from palier.steering import award_views

app_name = "awards"

urlpatterns = [
    path("", award_views.award_list, name="list"),
    path("<slug:code>/", award_views.award_detail, name="detail"),
    path(
        "<slug:code>/rapport-<int:year>.pdf",
        award_views.award_report,
        {"extension": "pdf"},
        name="report_pdf",
    ),
    path(
        "<slug:code>/rapport-<int:year>.xlsx",
        award_views.award_report,
        {"extension": "xlsx"},
        name="report_xlsx",
    ),
    path("<slug:code>/rattachements/", award_views.award_links, name="links"),
    path(
        "<slug:code>/rattachements/<str:kind>/ajouter/",
        award_views.award_attach,
        name="attach",
    ),
    path(
        "<slug:code>/rattachements/<str:kind>/<int:object_id>/retirer/",
        award_views.award_detach,
        name="detach",
    ),
]
