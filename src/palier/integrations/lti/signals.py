"""A shared participation owes its score to the platform line items it was launched from.

Shared is the moment: an automatic-sharing campaign shares at the end of the test, a consent
campaign when the learner agrees; a result the organisation may not see never goes to the
course either."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _participation_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.status != "shared" or (update_fields and "status" not in update_fields):
        return
    from palier.integrations.lti.models import GradePassback
    from palier.integrations.lti.tasks import queue_grade

    for grade_id in GradePassback.objects.filter(
        participation_id=instance.pk, status=GradePassback.Status.PENDING, tries=0
    ).values_list("pk", flat=True):
        transaction.on_commit(lambda grade_id=grade_id: queue_grade(grade_id))


def connect() -> None:
    from palier.campaigns.models import Participation

    post_save.connect(_participation_saved, sender=Participation, dispatch_uid="lti_grades")
