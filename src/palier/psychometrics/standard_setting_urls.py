"""URLs of the bookmark standard-setting workspace (namespace `standard_setting`)."""

from django.urls import path

from palier.psychometrics import standard_setting_views as views

app_name = "standard_setting"
urlpatterns = [
    path("", views.study_list, name="list"),
    path("nouvelle/", views.study_new, name="new"),
    path("<int:study_id>/", views.study_detail, name="study"),
    path("<int:study_id>/livret/", views.booklet_index, name="booklet"),
    path("<int:study_id>/livret/<int:number>/", views.booklet_page, name="page"),
    path("<int:study_id>/marque-pages/", views.bookmarks, name="bookmarks"),
    path("<int:study_id>/resultats/", views.results, name="results"),
    path("<int:study_id>/panel/", views.panel_add, name="panel_add"),
    path("<int:study_id>/panel/<int:user_id>/retirer/", views.panel_remove, name="panel_remove"),
    path("<int:study_id>/cloturer-le-tour/", views.round_close, name="round_close"),
    path("<int:study_id>/clore/", views.study_close, name="study_close"),
    path("<int:study_id>/adopter/", views.adopt, name="adopt"),
]
