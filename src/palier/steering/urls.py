"""The national dashboard and its downloads, under /pilotage/."""

from django.urls import path, re_path

from palier.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^export/(?P<code>[-\w]+)\.(?P<extension>csv|xlsx)$", views.export, name="export"),
]
