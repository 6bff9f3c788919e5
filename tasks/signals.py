"""Every submission saved or deleted one by one (a report, a review, the admin) updates its assignment's
stored latest submission; bulk writers call ``refresh_latest_submission`` themselves."""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tasks.models import Assignment, Submission


@receiver(post_save, sender=Submission, dispatch_uid="tasks.latest_submission_saved")
@receiver(post_delete, sender=Submission, dispatch_uid="tasks.latest_submission_deleted")
def refresh_latest_submission(sender, instance: Submission, raw: bool = False, origin=None, **kwargs) -> None:
    if raw or _deleted_with_its_assignment(origin):
        return
    with transaction.atomic(savepoint=False):
        if connection.features.has_select_for_update:  # SQLite writes one transaction at a time anyway
            # Lock the row first, in a statement of its own, then read the latest submission in the next one: it
            # then sees the submission another writer holding the lock has just committed (PostgreSQL, read
            # committed).
            list(Assignment.objects.filter(pk=instance.assignment_id).select_for_update().values_list("pk"))
        Assignment.objects.refresh_latest_submission_of(instance.assignment_id)


def _deleted_with_its_assignment(origin) -> bool:
    """A deletion that started above the submission (its assignment, measure, plan or unit): the assignment
    goes too, since the assignment is the only cascade path to a submission (its author is protected)."""
    if origin is None:
        return False
    model = origin.model if hasattr(origin, "model") else type(origin)
    return model is not Submission
