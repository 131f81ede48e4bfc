from django.urls import path

from palier.training import staff, views

app_name = "training"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("financements/", views.funding, name="funding"),
    path("modules/<slug:code>/", views.module_detail, name="module"),
    path("ressources/<slug:code>/", views.resource_detail, name="resource"),
    path("organismes/<slug:slug>/", views.provider_detail, name="provider"),
    path("organismes/<slug:slug>/gestion/", staff.provider_modules, name="provider_modules"),
    path("organismes/<slug:slug>/gestion/nouveau/", staff.edit_module, name="module_new"),
    path(
        "organismes/<slug:slug>/gestion/formations-terminees/",
        staff.completions,
        name="completions",
    ),
    path(
        "organismes/<slug:slug>/gestion/formations-terminees/<int:entry_id>/",
        staff.confirm,
        name="confirm",
    ),
    path("organismes/<slug:slug>/gestion/<slug:code>/", staff.edit_module, name="module_edit"),
    path("mon-plan/", views.plan, name="plan"),
    path("mon-plan/ajouter/", views.add, name="add"),
    path("mon-plan/<int:entry_id>/", views.update, name="update"),
    path(
        "mon-plan/<int:entry_id>/confirmation/",
        views.confirmation_request,
        name="confirmation_request",
    ),
]
