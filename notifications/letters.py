"""函告 letters: who gets one, its number, its PDF (GB/T 9704 letter layout), its withdrawal, its replies.

Letters are claimed under a lock on the units' rows (the uncovered items are re-read under it) and
numbered from a DocumentCounter row locked with select_for_update, in the same transaction as the
letter rows: a rolled-back letter gives its number back, so numbers stay gapless.
"""

import datetime
from functools import partial
from itertools import groupby

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from notifications.channels import dispatch
from notifications.models import (
    RECHECK,
    DocumentCounter,
    LadderConfig,
    LadderState,
    Letter,
    LetterItem,
    LetterReply,
    Message,
    ReplyFile,
    format_number,
)
from plans.models import Plan, Unit
from tasks.models import Assignment
from tasks.uploads import CheckedFile, all_or_nothing, store
from tracker.formats import cn_date
from tracker.models import User
from tracker.pdf import render_pdf
from tracker.workdays import add_workdays, workdays_between


def listed_items(plan: Plan, as_of: datetime.date):
    """What a letter of the plan dated `as_of` lists: its unit's overdue items in the plan."""
    return Assignment.objects.overdue(as_of).filter(measure__task__plan=plan)


def letter_items(plan: Plan, unit: Unit, as_of: datetime.date) -> list[dict]:
    """The rows of a letter to the unit dated `as_of`, in the letter's order (its preview, the page before it)."""
    listed = (listed_items(plan, as_of).filter(unit=unit).select_related("measure__task__section")
              .order_by("measure__task__order", "measure__order", "due_on", "id"))
    return [
        {
            "assignment": a,
            "task": a.measure.task,
            "text": a.measure.text,
            "period": a.period,
            "due_on": a.due_on,
            "workdays_late": workdays_between(a.due_on, as_of),
            "days_late": (as_of - a.due_on).days,
        }
        for a in listed
    ]


def letter_title(unit: Unit) -> str:
    return f"关于督促{unit.name}限期整改逾期任务的函"


def letter_context(*, plan: Plan, unit: Unit, config: LadderConfig, items: list[dict], issued_on: datetime.date,
                   reply_workdays: int, number: str, preview: bool = False) -> dict:
    groups = []
    for task, rows in groupby(items, key=lambda item: item["task"]):
        groups.append({"task": task, "items": list(rows)})
    return {
        "masthead": config.issuer_name,
        "signer": config.signer_name,
        "number": number,
        "title": letter_title(unit),
        "unit": unit,
        "plan": plan,
        "groups": groups,
        "count": len(items),
        "issued_on": issued_on,
        "issued_on_cn": cn_date(issued_on),
        "reply_workdays": reply_workdays,
        "reply_due_on_cn": cn_date(add_workdays(issued_on, reply_workdays)),
        "preview": preview,
    }


def context_for(letter: Letter) -> dict:
    config = LadderConfig.for_plan(letter.plan)
    items = [
        {"assignment": i.assignment, "task": i.assignment.measure.task, "text": i.assignment.measure.text,
         "period": i.assignment.period, "due_on": i.due_on, "workdays_late": i.workdays_late,
         "days_late": i.days_late}
        for i in letter.items.select_related("assignment__measure__task__section")
        .order_by("assignment__measure__task__order", "assignment__measure__order", "due_on", "id")
    ]
    context = letter_context(plan=letter.plan, unit=letter.unit, config=config, items=items,
                             issued_on=letter.issued_on, reply_workdays=letter.reply_workdays,
                             number=letter.number)
    context.update(masthead=letter.issuer, signer=letter.signer, title=letter.title,
                   reply_due_on_cn=cn_date(letter.reply_due_on))
    return context


def preview_pdf(plan: Plan, unit: Unit, as_of: datetime.date) -> bytes:
    """The letter as it would be issued today, before it gets a number."""
    config = LadderConfig.for_plan(plan)
    return render_pdf("pdf/letter.html", letter_context(
        plan=plan, unit=unit, config=config, items=letter_items(plan, unit, as_of), issued_on=as_of,
        reply_workdays=config.reply_workdays, number=format_number(plan.document_prefix("letter"), as_of.year, None),
        preview=True))


def issue_letters(plan: Plan, unit_ids: list[int], as_of: datetime.date, *, user=None,
                  manual: bool = False) -> list[Letter]:
    """Number and record the letters of one plan to some of its units, each covering all the unit's overdue
    items in the plan, in a fixed number of queries; returns them in number order.

    From the sweep (manual=False) a unit gets one only if it still has an item that makes it due a letter
    (`LadderConfig.letter_due_q`), and the candidates left without one lose their stale letter dates; by
    hand (manual=True, `user` writing from the unit's page) whenever it has overdue items. The units' rows
    are locked in key order, so concurrent callers queue behind each other and re-read what is covered; the
    numbers are reserved in one locked counter update; letters and their items are bulk inserts. The PDFs
    and the sending follow in `finish_letter`, after the commit.
    """
    config = LadderConfig.for_plan(plan)
    with transaction.atomic():
        locked = list(Unit.objects.select_for_update(no_key=True).filter(pk__in=unit_ids).order_by("pk")
                      .values_list("pk", flat=True))
        overdue = listed_items(plan, as_of).filter(unit__in=locked)
        if manual:
            due_units = set(overdue.values_list("unit_id", flat=True).distinct())
        else:
            eligible = Assignment.objects.filter(config.letter_due_q(as_of), unit__in=locked)
            due_units = set(eligible.values_list("unit_id", flat=True).distinct())
            LadderState.objects.filter(letter_on__lte=as_of, assignment__unit__in=locked,
                                       assignment__measure__task__plan=plan).exclude(
                assignment__in=eligible.values("pk")).update(letter_on=None)
        if not due_units:
            return []
        listed = overdue.filter(unit__in=due_units).annotate(cycle=F("ladder_state__cycle")).order_by("unit_id", "pk")
        items: dict[int, list] = {}
        for pk, unit_id, due_on, cycle in listed.values_list("pk", "unit_id", "due_on", "cycle"):
            items.setdefault(unit_id, []).append(
                LetterItem(assignment_id=pk, cycle=cycle or 1, due_on=due_on,
                           workdays_late=workdays_between(due_on, as_of), days_late=(as_of - due_on).days))
        seqs = dict(Letter.objects.filter(plan=plan, unit__in=due_units).values("unit")
                    .annotate(m=Max("seq")).values_list("unit", "m"))
        units = Unit.objects.in_bulk(items)
        prefix = plan.document_prefix("letter")
        first = DocumentCounter.reserve(prefix, as_of.year, len(items))
        reply_due_on = add_workdays(as_of, config.reply_workdays)
        issued = []
        for serial, unit_id in enumerate(sorted(items), start=first):
            unit = units[unit_id]
            issued.append(Letter(
                plan=plan, unit=unit, seq=seqs.get(unit_id, 0) + 1, prefix=prefix, year=as_of.year, serial=serial,
                number=format_number(prefix, as_of.year, serial), title=letter_title(unit), issued_on=as_of,
                reply_workdays=config.reply_workdays, reply_due_on=reply_due_on,
                issuer=config.issuer_name, signer=config.signer_name, created_by=user,
            ))
        issued = Letter.objects.bulk_create(issued)
        Letter.history.bulk_history_create(issued, default_user=user)
        for letter in issued:
            for item in items[letter.unit_id]:
                item.letter = letter
        LetterItem.objects.bulk_create([i for rows in items.values() for i in rows], batch_size=2000)
        LadderState.objects.filter(assignment__in=listed.values("pk")).update(letter_on=None)
    return issued


def store_pdf(letter: Letter) -> None:
    pdf = render_pdf("pdf/letter.html", context_for(letter))
    letter.pdf.save(f"{letter.prefix}-{letter.year}-{letter.serial}.pdf", ContentFile(pdf), save=False)
    Letter.objects.filter(pk=letter.pk).update(pdf=letter.pdf.name)


def finish_letter(letter: Letter) -> bool:
    """Render and store the PDF if missing, then send the letter once. Safe to call again (repair)."""
    if not letter.pdf:
        store_pdf(letter)
    with transaction.atomic():
        Letter.objects.select_for_update(no_key=True).filter(pk=letter.pk).first()
        if Message.objects.filter(letter=letter, kind=Message.Kind.LETTER).exists():
            return False
        message = Message.objects.create(
            kind=Message.Kind.LETTER, plan=letter.plan, unit=letter.unit, letter=letter,
            subject=f"{letter.number} {letter.title}", link=letter.get_absolute_url(), sent_by=letter.created_by,
            body=(f"{letter.unit.name}：\n{letter.issuer}向你单位发出{letter.number}《{letter.title}》，"
                  f"列明你单位{letter.items.count()}项逾期任务。请于{cn_date(letter.reply_due_on)}前"
                  f"（{letter.reply_workdays}个工作日内）在系统中提交整改回复。"),
        )
        dispatch(message, units=[letter.unit])
    return True


def withdraw(letter: Letter, user, reason: str) -> None:
    """作废: the letter keeps its number; its items may be written up again."""
    reason = reason.strip()
    if not reason:
        raise ValueError("请填写作废理由。")
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.is_withdrawn:
            raise ValueError("该函告已作废。")
        letter.withdrawn_at = timezone.now()
        letter.withdrawn_by = user
        letter.withdrawn_reason = reason
        letter._change_reason = f"作废：{reason}"
        letter.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        LetterItem.objects.filter(letter=letter).update(active=False)
        # the next sweep works out again which of these items are due a letter
        LadderState.objects.filter(assignment__letter_items__letter=letter).update(next_step_on=RECHECK)


def save_reply(letter: Letter, author: User, text: str, files: list[CheckedFile]) -> LetterReply:
    """整改回复: the reply, its files and the lead office's inbox note, all or nothing."""
    with all_or_nothing() as written:
        reply = LetterReply.objects.create(letter=letter, author=author, text=text)
        store(files, partial(ReplyFile, reply=reply), written)
        message = Message.objects.create(
            kind=Message.Kind.REPLY, plan=letter.plan, unit=letter.unit, letter=letter,
            subject=f"{letter.unit.name}已回复{letter.number}", link=letter.get_absolute_url(),
            body=f"{letter.unit.name}对{letter.number}《{letter.title}》提交了整改回复。")
        dispatch(message, users=list(User.objects.filter(role=User.Role.LEAD, is_active=True)))
    return reply
