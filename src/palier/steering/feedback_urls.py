"""Pages of professionals' feedback (included at the root of the translated pages)."""

from django.urls import path

from palier.steering import feedback_views

app_name = "steering_feedback"
urlpatterns = [
    path("avis/<slug:subject>/<str:ref>/", feedback_views.feedback, name="feedback"),
    # One path segment under referentiel/: two would be read as a framework and a version.
    path("referentiel/proposer/", feedback_views.propose, name="propose"),
    path("pilotage/avis/", feedback_views.steering_feedback, name="steering"),
    path("pilotage/propositions/", feedback_views.steering_proposals, name="proposals"),
    path(
        "pilotage/propositions/<int:proposal_id>/",
        feedback_views.steering_proposal,
        name="proposal",
    ),
]
