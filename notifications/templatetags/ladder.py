"""The paused-follow-up banner: plans whose ladder waits for the lead office's decision (notifications.follow_up)."""

from django import template

from notifications.models import LadderConfig
from tracker import access

register = template.Library()


@register.simple_tag(takes_context=True)
def paused_ladders(context, plan=None) -> list[LadderConfig]:
    """The paused ladders the signed-in user should hear of: the lead office and inspectors see them (the plan's
    own on its page, every plan's elsewhere); one query, none for the units' liaisons."""
    user = context.get("user")
    if user is None or not access.sees_every_unit(user):
        return []
    paused = (LadderConfig.objects.filter(plan__in=access.plans_for(user), enabled=False).exclude(paused_reason="")
              .select_related("plan"))
    return list(paused.filter(plan=plan) if plan is not None else paused.order_by("plan__title"))
