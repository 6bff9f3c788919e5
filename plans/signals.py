"""A unit that joins a group gets the group's open work; one that leaves loses what it has not touched."""

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from plans.models import Measure, UnitGroup


def sync_group_measures(group_ids: set[int]) -> int:
    """Sync the assignments of every measure, in a plan still running, given to one of these groups."""
    from tasks.planning import sync_assignments

    measures = (
        Measure.objects.filter(groups__in=group_ids, task__plan__ends_on__gte=timezone.localdate())
        .select_related("task__plan").distinct()
    )
    count = 0
    with transaction.atomic():
        for measure in measures:
            sync_assignments(measure)
            count += 1
    return count


@receiver(m2m_changed, sender=UnitGroup.members.through)
def group_members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # unit.groups.add(...): instance is the unit, pk_set the groups
        group_ids = set(pk_set or ()) if action != "post_clear" else set()
    else:
        group_ids = {instance.pk}
    if action == "post_clear" and reverse:
        # The groups the unit left are no longer known; sync every group's running measures.
        group_ids = set(UnitGroup.objects.values_list("pk", flat=True))
    if group_ids:
        sync_group_measures(group_ids)
