"""Every submission saved or deleted one by one (a report, a review, the admin) updates its assignment's
stored latest submission; bulk writers call ``refresh_latest_submission`` themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tasks.models import Assignment, Submission


@receiver(post_save, sender=Submission, dispatch_uid="tasks.latest_submission_saved")
@receiver(post_delete, sender=Submission, dispatch_uid="tasks.latest_submission_deleted")
def refresh_latest_submission(sender, instance: Submission, raw: bool = False, **kwargs) -> None:
    if not raw:
        Assignment.objects.filter(pk=instance.assignment_id).refresh_latest_submission()
