"""Any saved change to an assignment (completed, reopened, a new due date) makes the next sweep look at it
again; the sweep works out whether its ladder stops, resumes or starts a new cycle."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from notifications.models import RECHECK, LadderState
from tasks.models import Assignment


@receiver(post_save, sender=Assignment, dispatch_uid="notifications.recheck_ladder")
def recheck_ladder(sender, instance: Assignment, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        LadderState.objects.filter(pk=instance.pk).update(next_step_on=RECHECK)
