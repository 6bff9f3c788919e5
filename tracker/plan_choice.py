"""Which plan a page counts when several coexist: the one the user chose last, else the newest.

The choice is kept on the user (User.current_plan), so it holds on every page and every device: 总览, 调度,
the 工作台, the 台账's default and the reports form all read it here, and a ?plan= on any of them changes it.
"""

from django.http import Http404, HttpRequest, QueryDict

from plans.models import Plan
from tracker import access
from tracker.models import User


def _visible(user) -> list[Plan]:
    """The plans for the chooser, with the fields the pages then read of the chosen one (its years for 考核)."""
    return list(access.plans_for(user).order_by("-created_at", "-id")
                .only("id", "title", "created_at", "issued_on", "ends_on"))


def remember(user, plan: Plan) -> None:
    """Keep ``plan`` as the user's choice (one UPDATE, none when it is already the choice)."""
    if user.current_plan_id != plan.pk:
        User.objects.filter(pk=user.pk).update(current_plan=plan)
        user.current_plan_id = plan.pk


def _pick(user, plans: list[Plan]) -> Plan | None:
    """The remembered plan while the user still sees it, else the newest."""
    for plan in plans:
        if plan.pk == user.current_plan_id:
            return plan
    return plans[0] if plans else None


def choose_plan(request: HttpRequest) -> tuple[Plan | None, list[Plan]]:
    """The plan named by ?plan= (remembered from now on; another's plan is 404), else the remembered one;
    with every plan the user sees, for the switch."""
    plans = _visible(request.user)
    wanted = request.GET.get("plan")
    if wanted:
        for plan in plans:
            if str(plan.pk) == wanted:
                remember(request.user, plan)
                return plan, plans
        raise Http404(access.NOT_FOUND)
    return _pick(request.user, plans), plans


def current_plan(user) -> Plan | None:
    """The plan a form or list starts on when the request names none."""
    return _pick(user, _visible(user))


def with_plan(request: HttpRequest) -> QueryDict:
    """A filter's GET data with the remembered plan when it names none (an empty ?plan= means every plan);
    a plan it names becomes the choice."""
    data = request.GET
    wanted = data.get("plan")
    if "plan" not in data:
        plan = current_plan(request.user)
        if plan is not None:
            data = data.copy()
            data["plan"] = str(plan.pk)
    elif wanted and wanted.isdigit():
        plan = access.plans_for(request.user).filter(pk=wanted).first()
        if plan is not None:
            remember(request.user, plan)
    return data
