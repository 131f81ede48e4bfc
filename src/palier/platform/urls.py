from django.urls import path

from palier.platform import views

app_name = "platform"
urlpatterns = [
    path("", views.home, name="home"),
    path("mon-espace/", views.my_space, name="my_space"),
]
