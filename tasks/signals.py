"""Every submission saved or deleted one by one (a report, a review, the admin) updates its assignment's
stored latest submission; bulk writers call ``refresh_latest_submission`` themselves."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tasks.models import Assignment, Submission


@receiver(post_save, sender=Submission, dispatch_uid="tasks.latest_submission_saved")
@receiver(post_delete, sender=Submission, dispatch_uid="tasks.latest_submission_deleted")
def refresh_latest_submission(sender, instance: Submission, raw: bool = False, origin=None, **kwargs) -> None:
    if raw or _deleted_with_its_assignment(origin):
        return
    row = Assignment.objects.filter(pk=instance.assignment_id)
    with transaction.atomic(savepoint=False):
        # Lock the row first, in a statement of its own. An UPDATE that had to wait for another writer's
        # lock would otherwise re-check only its own row and keep the subquery's older snapshot, missing
        # the submission the other writer has just committed (PostgreSQL, read committed).
        list(row.select_for_update().values_list("pk"))
        row.refresh_latest_submission()


def _deleted_with_its_assignment(origin) -> bool:
    """A deletion that started above the submission (its assignment, measure, plan or unit): the assignment
    goes too, since the assignment is the only cascade path to a submission (its author is protected)."""
    if origin is None:
        return False
    model = origin.model if hasattr(origin, "model") else type(origin)
    return model is not Submission
