from django.urls import path

from palier.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.space, name="space"),
    path("commencer/", views.start, name="start"),
    path("verification/<str:code>/", views.verify, name="verify"),
    path("<str:attempt_id>/", views.question, name="question"),
    path("<str:attempt_id>/resultat/", views.result, name="result"),
    path("<str:attempt_id>/signaler/", views.report, name="report"),
    path("<str:attempt_id>/resultat.pdf", views.result_pdf, name="result_pdf"),
]
