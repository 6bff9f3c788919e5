"""The home page's 工作台: what needs the signed-in person's attention now, by role."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from notifications.models import Delivery
from plans.models import Plan
from tasks.models import DUE_SOON_DAYS, Assignment, ExtensionRequest, ReportingRound, Submission
from tasks.status import in_plan
from tracker.access import (
    deliveries_for,
    extension_requests_for,
    letters_for,
    rounds_for,
    submissions_for,
    work_of,
)


@dataclass
class Item:
    label: str
    count: int
    url: str
    tone: str = ""  # "red" / "yellow" / "" — how urgent a non-zero count is
    every_plan: bool = False  # counts across plans (deliveries belong to no one plan)


def work_items(user, today: datetime.date, plan: Plan | None) -> list[Item]:
    """Counts of the user's own work in ``plan`` (a lead unit's supporters' items are not its to act on);
    each link opens the list of what it counts."""
    work = work_of(user)
    if plan is not None:
        work = in_plan(work, plan)
    of_plan = f"plan={plan.pk}&" if plan is not None else ""
    counts = work.aggregate(
        overdue=Count("pk", filter=Assignment.overdue_q(today)),
        soon=Count("pk", filter=Assignment.due_soon_q(today)),
        returned=Count("pk", filter=Q(status=Assignment.Status.RETURNED)),
    )
    tasks_url = reverse("tasks:my_tasks" if user.is_liaison else "tasks:assignments") + "?" + of_plan
    items = [
        Item("已逾期", counts["overdue"], f"{tasks_url}overdue=true", "red"),
        Item(f"{DUE_SOON_DAYS}日内到期", counts["soon"], f"{tasks_url}due_within={DUE_SOON_DAYS}", "yellow"),
        Item("被退回待重报", counts["returned"], f"{tasks_url}status=returned", "yellow"),
    ]
    pending_reviews = submissions_for(user).filter(state=Submission.State.PENDING, assignment__in=work)
    pending_extensions = extension_requests_for(user).filter(state=ExtensionRequest.State.PENDING,
                                                             assignment__in=work).count()
    letters = letters_for(user).issued().filter(replies__isnull=True)
    if plan is not None:
        letters = letters.filter(plan=plan)
    review_url = reverse("tasks:review_queue") + "?" + of_plan
    if user.is_liaison:
        items += [
            Item("待审核的报送", pending_reviews.count(), f"{tasks_url}status=submitted"),
            Item("待回复的函告", letters.count(), reverse("notifications:letters"), "red"),
        ]
    else:
        items += [
            Item("待审核报送", pending_reviews.count(), review_url, "yellow"),
            Item("待审批延期申请", pending_extensions, review_url),
            Item("函告逾期未回复", letters.filter(reply_due_on__lt=today).count(), reverse("notifications:letters"),
                 "red"),
        ]
        if user.is_lead:
            failed = deliveries_for(user).filter(state=Delivery.State.FAILED).count()
            items.append(Item("发送失败的通知", failed, reverse("notifications:deliveries"), "red", every_plan=True))
    return items


def open_rounds(user, plan: Plan | None) -> list[ReportingRound]:
    """Reporting rounds of ``plan`` still open: for a liaison those that ask its unit."""
    rounds = rounds_for(user).filter(closed_at__isnull=True, plan=plan).select_related("plan").order_by("due_on", "pk")
    return list(rounds[:10])
