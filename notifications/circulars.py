"""通报 circulars: numbered, GB/T 9704 layout, sent to all units.

A circular names the units that reported on time, late or not at all in a reporting round (when it
closes one), the units with an item under follow-up `circular_after_workdays` working days overdue
(historical items are not chased), and the units whose letter is unanswered past its reply date.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from notifications.channels import dispatch
from notifications.models import Circular, DocumentCounter, LadderConfig, Letter, Message, format_number
from plans.models import Plan, Unit
from tasks.models import Assignment, ReportingRound, Submission
from tracker.formats import cn_date
from tracker.models import User
from tracker.pdf import render_pdf
from tracker.workdays import latest_due_overdue_by, workdays_between


def round_record(rnd: ReportingRound) -> dict:
    """Which of the round's units reported on time, late, or not at all (by their first report)."""
    firsts = dict(
        Submission.objects.filter(round=rnd).values("assignment__unit").annotate(first=Min("created_at"))
        .values_list("assignment__unit", "first")
    )
    on_time, late, missing = [], [], []
    for unit in rnd.units.order_by("order", "name"):
        first = firsts.get(unit.pk)
        if first is None:
            missing.append(unit.name)
        elif timezone.localtime(first).date() <= rnd.due_on:
            on_time.append(unit.name)
        else:
            late.append(unit.name)
    return {"title": rnd.title, "due_on": rnd.due_on.isoformat(), "due_on_cn": cn_date(rnd.due_on),
            "on_time": on_time, "late": late, "missing": missing}


def circular_content(plan: Plan, as_of: datetime.date, rnd: ReportingRound | None = None) -> dict:
    config = LadderConfig.for_plan(plan)
    cutoff = latest_due_overdue_by(as_of, config.circular_after_workdays)
    long_overdue = [
        {"unit": row["unit__name"], "count": row["count"], "oldest": row["oldest"],
         "max_workdays": workdays_between(row["oldest"], as_of)}
        for row in Assignment.objects.open().filter(measure__task__plan=plan, follow_up=True, due_on__lte=cutoff)
        .values("unit__name", "unit__order").annotate(count=Count("id"), oldest=Min("due_on"))
        .order_by("unit__order", "unit__name")
    ]
    for row in long_overdue:
        row["oldest"] = row["oldest"].isoformat()
    unanswered = [
        {"unit": row["unit__name"], "numbers": [], "reply_due_on": row["due"].isoformat(),
         "reply_due_on_cn": cn_date(row["due"])}
        for row in Letter.objects.unanswered_past_due(as_of).filter(plan=plan)
        .values("unit__name", "unit__order").annotate(due=Max("reply_due_on")).order_by("unit__order", "unit__name")
    ]
    numbers: dict[str, list[str]] = {}
    for unit_name, number in (Letter.objects.unanswered_past_due(as_of).filter(plan=plan)
                              .order_by("year", "serial").values_list("unit__name", "number")):
        numbers.setdefault(unit_name, []).append(number)
    for row in unanswered:
        row["numbers"] = numbers.get(row["unit"], [])
    return {
        "as_of": as_of.isoformat(),
        "as_of_cn": cn_date(as_of),
        "round": round_record(rnd) if rnd else None,
        "threshold": config.circular_after_workdays,
        "long_overdue": long_overdue,
        "unanswered": unanswered,
    }


def circular_title(plan: Plan, rnd: ReportingRound | None) -> str:
    if rnd is not None:
        return f"关于{rnd.title}报送情况及任务推进情况的通报"
    return "关于实施方案任务推进情况的通报"


def pdf_context(*, plan: Plan, config: LadderConfig, content: dict, title: str, number: str,
                issued_on: datetime.date, preview: bool = False) -> dict:
    return {"masthead": config.issuer_name, "signer": config.signer_name, "number": number, "title": title,
            "plan": plan, "c": content, "issued_on_cn": cn_date(issued_on), "preview": preview}


def preview_pdf(plan: Plan, as_of: datetime.date, rnd: ReportingRound | None = None) -> bytes:
    config = LadderConfig.for_plan(plan)
    return render_pdf("pdf/circular.html", pdf_context(
        plan=plan, config=config, content=circular_content(plan, as_of, rnd), title=circular_title(plan, rnd),
        number=format_number(plan.document_prefix("circular"), as_of.year, None), issued_on=as_of, preview=True))


def issue_circular(plan: Plan, as_of: datetime.date, *, rnd: ReportingRound | None = None,
                   user=None) -> Circular | None:
    """Number and record a circular (None if this round's circular exists already)."""
    config = LadderConfig.for_plan(plan)
    prefix = plan.document_prefix("circular")
    try:
        with transaction.atomic():
            if rnd is not None and Circular.objects.filter(round=rnd).exists():
                return None
            serial = DocumentCounter.reserve(prefix, as_of.year)
            circular = Circular.objects.create(
                plan=plan, round=rnd, prefix=prefix, year=as_of.year, serial=serial,
                number=format_number(prefix, as_of.year, serial), title=circular_title(plan, rnd),
                issued_on=as_of, issuer=config.issuer_name, signer=config.signer_name,
                content=circular_content(plan, as_of, rnd), created_by=user,
            )
    except IntegrityError:
        return None
    return circular


def finish_circular(circular: Circular) -> bool:
    """Render and store the PDF if missing, then send it to all units and the lead office, once."""
    if not circular.pdf:
        config = LadderConfig.for_plan(circular.plan)
        pdf = render_pdf("pdf/circular.html", pdf_context(
            plan=circular.plan, config=config, content=circular.content, title=circular.title,
            number=circular.number, issued_on=circular.issued_on) | {"masthead": circular.issuer,
                                                                     "signer": circular.signer})
        circular.pdf.save(f"{circular.prefix}-{circular.year}-{circular.serial}.pdf", ContentFile(pdf), save=False)
        Circular.objects.filter(pk=circular.pk).update(pdf=circular.pdf.name)
    with transaction.atomic():
        Circular.objects.select_for_update(no_key=True).filter(pk=circular.pk).first()
        if Message.objects.filter(circular=circular).exists():
            return False
        named = sorted({row["unit"] for row in circular.content["long_overdue"] + circular.content["unanswered"]})
        body = f"{circular.issuer}印发{circular.number}《{circular.title}》，请各单位认真阅知。"
        if named:
            body += f"\n被通报单位：{'、'.join(named)}。请被通报单位抓紧整改。"
        message = Message.objects.create(kind=Message.Kind.CIRCULAR, plan=circular.plan, circular=circular,
                                         subject=f"{circular.number} {circular.title}", body=body,
                                         link=circular.get_absolute_url(), sent_by=circular.created_by)
        dispatch(message, units=list(Unit.objects.filter(is_active=True).prefetch_related("users")),
                 users=list(User.objects.filter(role__in=[User.Role.LEAD, User.Role.INSPECTOR], is_active=True)))
    return True
