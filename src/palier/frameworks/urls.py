from django.urls import path

from palier.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_index, name="index"),
    path("<slug:code>/<str:version>/", views.framework_detail, name="detail"),
    path("<slug:code>/<str:version>/publics/", views.targets, name="targets"),
    path("<slug:code>/<str:version>/case.json", views.framework_case, name="case"),
    path("<slug:code>/<str:version>/<str:area_code>/", views.area_detail, name="area"),
]
