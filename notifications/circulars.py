"""通报 circulars: numbered, GB/T 9704 layout, sent to all units.

A circular names the units that reported on time, late or not at all in a reporting round (when it
closes one), the units with an item under follow-up `circular_after_workdays` working days overdue
(historical items are not chased), and the units whose letter is unanswered past its reply date.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from notifications.channels import dispatch
from notifications.letters import ATTACHMENT_TITLE, copy_list, save_replacing, scope
from notifications.models import Circular, DocumentCounter, LadderConfig, Letter, Message, format_number
from notifications.wordfile import document_docx
from plans.models import Plan, Unit
from tasks.models import Assignment, ReportingRound, Submission
from tracker.chinese_text import book_title, normalise, title_lines
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


def figures(plan: Plan, as_of: datetime.date) -> dict:
    """The overall figures a circular opens with: of the plan's items under follow-up whose deadline has come by
    `as_of`, how many are done (and the share), how many are overdue, in how many tasks and measures (`scope`) and
    units."""
    due = Assignment.objects.filter(measure__task__plan=plan, follow_up=True, due_on__lte=as_of)
    total = due.count()
    done = due.filter(Assignment.done_q()).count()
    overdue = due.overdue(as_of)
    return {"total": total, "done": done, "percent": round(done * 100 / total) if total else 0,
            "overdue": overdue.count(), "overdue_units": overdue.values("unit").distinct().count(),
            "overdue_scope": scope(overdue.values_list("measure__task_id", "measure_id"))}


def long_overdue_units(plan: Plan, as_of: datetime.date, cutoff: datetime.date) -> list[dict]:
    """The units with an item under follow-up overdue since `cutoff` or earlier, each with its items (the plan's
    task number as printed, the measure, its deadline, working days overdue), in directory order."""
    rows: dict[int, dict] = {}
    for a in (Assignment.objects.open().filter(measure__task__plan=plan, follow_up=True, due_on__lte=cutoff)
              .select_related("unit", "measure__task__section")
              .order_by("unit__order", "unit__name", "measure__task__order", "measure__order", "due_on", "pk")):
        row = rows.setdefault(a.unit_id, {"unit": a.unit.name, "count": 0, "oldest": a.due_on, "items": [],
                                          "pairs": set()})
        row["count"] += 1
        row["oldest"] = min(row["oldest"], a.due_on)
        row["pairs"].add((a.measure.task_id, a.measure_id))
        row["items"].append({"label": a.measure.task.label, "task": a.measure.task.name,
                             "text": normalise(a.measure.text), "period": a.period,
                             "due_on_cn": cn_date(a.due_on), "workdays": workdays_between(a.due_on, as_of)})
    result = []
    for row in rows.values():
        tasks = list(dict.fromkeys(item["task"] for item in row["items"]))
        result.append({"unit": row["unit"], "count": row["count"], "oldest": row["oldest"].isoformat(),
                       "max_workdays": workdays_between(row["oldest"], as_of), "scope": scope(row["pairs"]),
                       "tasks": tasks, "items": row["items"]})
    return result


def circular_content(plan: Plan, as_of: datetime.date, rnd: ReportingRound | None = None) -> dict:
    config = LadderConfig.for_plan(plan)
    cutoff = latest_due_overdue_by(as_of, config.circular_after_workdays)
    long_overdue = long_overdue_units(plan, as_of, cutoff)
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
        "figures": figures(plan, as_of),
        "round": round_record(rnd) if rnd else None,
        "threshold": config.circular_after_workdays,
        "long_overdue": long_overdue,
        "unanswered": unanswered,
    }


def title_phrases(round_title: str | None) -> list[str]:
    """A circular's title (closing the round so named, if any) in the phrases a line may break between
    (`tracker.chinese_text.title_lines`)."""
    if round_title:
        return ["关于", round_title, "报送和任务推进", "情况的通报"]
    return ["关于实施方案", "任务推进情况的通报"]


def circular_title(plan: Plan, rnd: ReportingRound | None) -> str:
    return "".join(title_phrases(rnd.title if rnd else None))


def pdf_context(*, plan: Plan, config: LadderConfig, content: dict, title: str, number: str,
                issued_on: datetime.date, preview: bool = False) -> dict:
    phrases = title_phrases((content.get("round") or {}).get("title"))
    listed = [dict(item, unit=row["unit"]) for row in content["long_overdue"] for item in row.get("items", ())]
    return {"masthead": config.issuer_name, "signer": config.signer_name, "number": number, "title": title,
            "title_lines": title_lines(phrases if "".join(phrases) == title else [title]),
            "plan": plan, "plan_title": book_title(plan.title), "c": content, "issued_on_cn": cn_date(issued_on),
            "listed": listed, "attachment": ATTACHMENT_TITLE if listed else "",
            "round_units": sum(len(content["round"][key]) for key in ("on_time", "late", "missing"))
            if content.get("round") else 0,
            "copy_units": copy_list(config, []), "note": config.note, "preview": preview}


def context_for(circular: Circular) -> dict:
    """`pdf_context` of an issued circular, with the issuer and signer it was issued under."""
    return pdf_context(
        plan=circular.plan, config=LadderConfig.for_plan(circular.plan), content=circular.content,
        title=circular.title, number=circular.number, issued_on=circular.issued_on,
    ) | {"masthead": circular.issuer, "signer": circular.signer}


def circular_docx(circular: Circular) -> bytes:
    """The circular as .docx: the same text as its PDF (`notifications.wordfile`)."""
    return document_docx("pdf/circular.html", context_for(circular))


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
    """Render and store the PDF if missing, then send it to all units and the lead office, once; False when
    there was nothing left to do. Claimed first under the circular's row lock, as `letters.finish_letter`."""
    with transaction.atomic():
        stored = (Circular.objects.select_for_update(no_key=True).filter(pk=circular.pk)
                  .values_list("pdf", flat=True).first())
        sent = Message.objects.filter(circular=circular).exists()
        if not stored:
            pdf = render_pdf("pdf/circular.html", context_for(circular))
            save_replacing(circular.pdf, f"{circular.prefix}-{circular.year}-{circular.serial}.pdf", pdf)
            Circular.objects.filter(pk=circular.pk).update(pdf=circular.pdf.name)
        if sent:
            return not stored
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
