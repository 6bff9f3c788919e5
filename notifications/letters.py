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
from django.db.models.fields.files import FieldFile
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
    Step,
    format_number,
    measure_leads,
)
from notifications.wordfile import document_docx
from plans.models import Plan, Unit
from tasks.models import Assignment
from tasks.uploads import CheckedFile, all_or_nothing, store
from tracker.chinese_text import book_title, normalise, title_lines
from tracker.formats import cn_date
from tracker.models import User
from tracker.pdf import render_pdf
from tracker.workdays import add_workdays, workdays_between

KIND_WORDS = {Step.Kind.REMIND: "提醒", Step.Kind.URGE: "催办"}
# A letter listing more items than this summarises them in its body and attaches the table (附件：逾期事项清单).
INLINE_ITEMS = 5
ATTACHMENT_TITLE = "逾期事项清单"


def listed_items(config: LadderConfig, as_of: datetime.date, *, by_hand: bool = False):
    """What a letter of the plan dated `as_of` lists (`LadderConfig.letter_listable_q`): overdue items urged in
    their current cycle and not yet written up."""
    return Assignment.objects.filter(config.letter_listable_q(as_of, by_hand=by_hand))


def sent_steps(items: list[tuple[int, int, datetime.date]], until: datetime.date) -> dict[int, list[tuple]]:
    """The 提醒 and 催办 each item (assignment id, cycle, due date) was sent up to `until`, as (date, kind) in date
    order: the ladder's steps of that cycle for that due date, and those the lead office sent from the item's
    page (a 提醒 up to the due date, a 催办 after it). Two queries whatever the number of items."""
    keys = {pk: (cycle, due_on) for pk, cycle, due_on in items}
    sent: dict[int, set] = {pk: set() for pk in keys}
    for pk, kind, cycle, due_on, sent_on in (Step.objects.filter(assignment__in=keys, sent_on__lte=until)
                                             .values_list("assignment_id", "kind", "cycle", "due_on", "sent_on")):
        if keys[pk] == (cycle, due_on):
            sent[pk].add((sent_on, kind))
    by_hand = Message.objects.filter(assignment__in=keys, sent_by__isnull=False,
                                     kind__in=[Message.Kind.REMIND, Message.Kind.URGE])
    for pk, kind, created_at in by_hand.values_list("assignment_id", "kind", "created_at"):
        day, due_on = timezone.localdate(created_at), keys[pk][1]
        if day <= until and (day <= due_on if kind == Message.Kind.REMIND else day > due_on):
            sent[pk].add((day, kind))
    return {pk: sorted(days) for pk, days in sent.items()}


def steps_phrase(steps: list[tuple]) -> str:
    """(date, kind) in date order → 已于2024年6月24日提醒，7月1日、7月8日催办 (the year only where it changes)."""
    runs: list[tuple[str, list[datetime.date]]] = []
    for day, kind in steps:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(day)
        else:
            runs.append((kind, [day]))
    parts, year = [], None
    for kind, days in runs:
        texts = []
        for day in days:
            texts.append(cn_date(day) if day.year != year else f"{day.month}月{day.day}日")
            year = day.year
        parts.append("、".join(texts) + KIND_WORDS[kind])
    return "已于" + "，".join(parts) if parts else ""


def item_row(a: Assignment, due_on: datetime.date, as_of: datetime.date, steps: list[tuple], *,
             workdays_late: int | None = None, days_late: int | None = None) -> dict:
    """One item of a letter as the PDF and the pages show it."""
    return {
        "assignment": a,
        "task": a.measure.task,
        "measure_id": a.measure_id,
        "text": normalise(a.measure.text),
        "period": a.period,
        "ongoing": a.measure.ongoing,  # a missed progress report, not unfinished work
        "due_on": due_on,
        "workdays_late": workdays_between(due_on, as_of) if workdays_late is None else workdays_late,
        "days_late": (as_of - due_on).days if days_late is None else days_late,
        "kinds": {kind for _day, kind in steps},
        "steps": steps_phrase(steps),
    }


def letter_items(plan: Plan, unit: Unit, as_of: datetime.date) -> list[dict]:
    """The rows of a letter written by hand to the unit on `as_of`, in the letter's order (its preview, the page
    before it)."""
    config = LadderConfig.for_plan(plan)
    listed = list(listed_items(config, as_of, by_hand=True).filter(unit=unit)
                  .select_related("measure__task__section", "ladder_state")
                  .order_by("measure__task__order", "measure__order", "due_on", "id"))
    steps = sent_steps([(a.pk, cycle_of(a), a.due_on) for a in listed], as_of)
    return [item_row(a, a.due_on, as_of, steps[a.pk]) for a in listed]


def cycle_of(a: Assignment) -> int:
    state = getattr(a, "ladder_state", None)
    return state.cycle if state is not None else 1


def title_phrases(unit: Unit) -> list[str]:
    """A letter's title in the phrases a line may break between (`tracker.chinese_text.title_lines`)."""
    return ["关于督促", unit.name, "限期整改", "逾期任务的函"]


def letter_title(unit: Unit) -> str:
    return "".join(title_phrases(unit))


def scope(pairs) -> str:
    """How a document counts overdue items: "2项任务3项细化措施", the distinct tasks and the distinct measures of
    (task id, measure id) pairs (a measure late in two periods counts once). Letters and circulars call this."""
    pairs = set(pairs)
    return f"{len({task for task, _m in pairs})}项任务{len({measure for _t, measure in pairs})}项细化措施"


def letter_scope(letter: Letter) -> str:
    """`scope` of the items an issued letter lists."""
    return scope(letter.items.values_list("assignment__measure__task_id", "assignment__measure_id"))


def _scope_of(items: list[dict]) -> str:
    return scope((item["task"].pk, item["measure_id"]) for item in items)


def summary(items: list[dict]) -> str:
    """The opening's account of the items: what is late (work, or progress reports of ongoing measures), counted
    by `scope`, and the steps taken only as far as every item had them (经提醒、催办 / 经催办)."""
    reports = [item for item in items if item["ongoing"]]
    work = [item for item in items if not item["ongoing"]]
    if all({Step.Kind.REMIND, Step.Kind.URGE} <= item["kinds"] for item in items):
        after = "经提醒、催办"
    elif all(Step.Kind.URGE in item["kinds"] for item in items):
        after = "经催办"
    else:
        after = "至今"
    if not reports:
        return f"你单位承担的{_scope_of(items)}已超过完成时限，{after}仍未完成。"
    if not work:
        return f"你单位承担的{_scope_of(items)}（长期坚持）未按期报送进展，{after}仍未报送。"
    return (f"你单位承担的{_scope_of(items)}逾期，其中{_scope_of(work)}已超过完成时限、"
            f"{_scope_of(reports)}未按期报送进展，{after}仍未完成或报送。")


def copy_list(config: LadderConfig, units: list[str]) -> list[str]:
    """抄送 of a document: the organs the plan's settings copy, then the units it copies itself, each once."""
    return list(dict.fromkeys([*config.copy_names, *units]))


def letter_context(*, plan: Plan, unit: Unit, config: LadderConfig, items: list[dict], issued_on: datetime.date,
                   reply_workdays: int, number: str, copy_units: list[str] = (), preview: bool = False) -> dict:
    groups = []
    for task, rows in groupby(items, key=lambda item: item["task"]):
        groups.append({"task": task, "title": normalise(task.title), "items": list(rows)})
    return {
        "masthead": config.issuer_name,
        "signer": config.signer_name,
        "number": number,
        "title": letter_title(unit),
        "title_lines": title_lines(title_phrases(unit)),
        "unit": unit,
        "plan": plan,
        "plan_title": book_title(plan.title),
        "summary": summary(items),
        "groups": groups,
        "items": items,
        "attachment": ATTACHMENT_TITLE if len(items) > INLINE_ITEMS else "",
        "tasks_named": "、".join(group["task"].name for group in groups),
        "count": len(items),
        "copy_units": copy_list(config, list(copy_units)),
        "note": config.note,
        "issued_on": issued_on,
        "issued_on_cn": cn_date(issued_on),
        "reply_workdays": reply_workdays,
        "reply_due_on_cn": cn_date(add_workdays(issued_on, reply_workdays)),
        "preview": preview,
    }


def context_for(letter: Letter) -> dict:
    config = LadderConfig.for_plan(letter.plan)
    rows = list(letter.items.select_related("assignment__measure__task__section")
                .order_by("assignment__measure__task__order", "assignment__measure__order", "due_on", "id"))
    steps = sent_steps([(i.assignment_id, i.cycle, i.due_on) for i in rows], letter.issued_on)
    items = [item_row(i.assignment, i.due_on, letter.issued_on, steps[i.assignment_id],
                      workdays_late=i.workdays_late, days_late=i.days_late) for i in rows]
    context = letter_context(plan=letter.plan, unit=letter.unit, config=config, items=items,
                             issued_on=letter.issued_on, reply_workdays=letter.reply_workdays,
                             number=letter.number, copy_units=copy_names(letter))
    if letter.title != context["title"]:  # a title written some other way (the unit renamed since): its own breaks
        context["title_lines"] = title_lines([letter.title])
    context.update(masthead=letter.issuer, signer=letter.signer, title=letter.title,
                   reply_due_on_cn=cn_date(letter.reply_due_on))
    return context


def letter_docx(letter: Letter) -> bytes:
    """The letter as .docx: the same text as its PDF (`notifications.wordfile`)."""
    return document_docx("pdf/letter.html", context_for(letter))


def copy_names(letter: Letter) -> list[str]:
    return list(letter.copy_units.order_by("order", "name").values_list("name", flat=True))


def preview_pdf(plan: Plan, unit: Unit, as_of: datetime.date) -> bytes:
    """The letter as it would be issued by hand today, before it gets a number."""
    config = LadderConfig.for_plan(plan)
    items = letter_items(plan, unit, as_of)
    copies = copy_units_for(plan, [(unit.pk, item["assignment"].measure_id) for item in items])
    return render_pdf("pdf/letter.html", letter_context(
        plan=plan, unit=unit, config=config, items=items, issued_on=as_of,
        reply_workdays=config.reply_workdays, number=format_number(plan.document_prefix("letter"), as_of.year, None),
        copy_units=[u.name for u in sorted(copies.get(unit.pk, ()), key=lambda u: (u.order, u.name))],
        preview=True))


def copy_units_for(plan: Plan, items: list[tuple[int, int]]) -> dict[int, set[Unit]]:
    """抄送: for the letters' items (unit id, measure id), the other owners of each measure the unit leads (its
    units with an assignment, not the lead office), by letter unit. Three queries whatever the number of items."""
    leads = measure_leads({measure_id for _unit, measure_id in items})
    led = {(unit_id, measure_id) for unit_id, measure_id in items if unit_id in leads.get(measure_id, ())}
    if not led:
        return {}
    owners: dict[int, set[int]] = {}
    for measure_id, unit_id in (Assignment.objects.filter(measure_id__in={m for _u, m in led}).order_by()
                                .values_list("measure_id", "unit_id").distinct()):
        owners.setdefault(measure_id, set()).add(unit_id)
    wanted = {unit_id: set() for unit_id, _m in led}
    for unit_id, measure_id in led:
        wanted[unit_id] |= owners.get(measure_id, set()) - {unit_id, plan.lead_unit_id}
    units = Unit.objects.in_bulk(set().union(*wanted.values()))
    return {unit_id: {units[pk] for pk in pks} for unit_id, pks in wanted.items() if pks}


def issue_letters(plan: Plan, unit_ids: list[int], as_of: datetime.date, *, user=None,
                  manual: bool = False) -> list[Letter]:
    """Number and record the letters of one plan to some of its units, each listing the unit's items that a
    letter may list (`LadderConfig.letter_listable_q`: urged in their current cycle, not yet written up), in a
    fixed number of queries; returns them in number order.

    From the sweep (manual=False) a unit gets one only if it has an item that makes it due a letter
    (`LadderConfig.letter_due_q`: its first 催办 sent long enough ago), and the candidates left without one lose
    their stale letter dates; by hand (manual=True, `user` writing from the unit's page) whenever it has items
    to list, a 催办 sent by hand counting as well. A letter about an item of a measure the unit leads copies
    (抄送) the measure's other owners. The units' rows are locked in key order, so concurrent callers queue
    behind each other and re-read what is covered; the numbers are reserved in one locked counter update;
    letters, their items and copies are bulk inserts. The PDFs and the sending follow in `finish_letter`, after
    the commit.
    """
    config = LadderConfig.for_plan(plan)
    with transaction.atomic():
        locked = list(Unit.objects.select_for_update(no_key=True).filter(pk__in=unit_ids).order_by("pk")
                      .values_list("pk", flat=True))
        listable = listed_items(config, as_of, by_hand=manual).filter(unit__in=locked)
        if manual:
            due_units = set(listable.values_list("unit_id", flat=True).distinct())
        else:
            eligible = Assignment.objects.filter(config.letter_due_q(as_of), unit__in=locked)
            due_units = set(eligible.values_list("unit_id", flat=True).distinct())
            LadderState.objects.filter(letter_on__lte=as_of, assignment__unit__in=locked,
                                       assignment__measure__task__plan=plan).exclude(
                assignment__in=eligible.values("pk")).update(letter_on=None)
        if not due_units:
            return []
        listed = listable.filter(unit__in=due_units).annotate(cycle=F("ladder_state__cycle")).order_by("unit_id", "pk")
        items: dict[int, list] = {}
        measures, listed_pks = [], []
        for pk, unit_id, measure_id, due_on, cycle in listed.values_list("pk", "unit_id", "measure_id", "due_on",
                                                                         "cycle"):
            items.setdefault(unit_id, []).append(
                LetterItem(assignment_id=pk, cycle=cycle or 1, due_on=due_on,
                           workdays_late=workdays_between(due_on, as_of), days_late=(as_of - due_on).days))
            measures.append((unit_id, measure_id))
            listed_pks.append(pk)
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
        copies = copy_units_for(plan, measures)
        Letter.copy_units.through.objects.bulk_create([
            Letter.copy_units.through(letter_id=letter.pk, unit_id=unit.pk)
            for letter in issued for unit in copies.get(letter.unit_id, ())
        ], batch_size=2000)
        for start in range(0, len(listed_pks), 5000):
            LadderState.objects.filter(assignment__in=listed_pks[start:start + 5000]).update(letter_on=None)
    return issued


def issue_by_hand(plan: Plan, unit: Unit, as_of: datetime.date, user) -> tuple[Letter | None, bool]:
    """The letter the lead office writes to a unit from the unit's page: (the letter, True) when one is numbered
    now; (the issued letter that already lists the unit's overdue items, False) when the request comes again for
    them (a retried POST, a second click: the items are covered, nothing is numbered twice); (None, False) when
    there is nothing to write up."""
    issued = issue_letters(plan, [unit.pk], as_of, user=user, manual=True)
    if issued:
        return issued[0], True
    overdue = Assignment.objects.filter(Assignment.overdue_q(as_of), unit=unit)
    covering = (Letter.objects.issued().filter(plan=plan, unit=unit, items__active=True,
                                               items__assignment__in=overdue)
                .order_by("-year", "-serial").first())
    return covering, False


def store_pdf(letter: Letter) -> None:
    """Typeset the letter and store it under its number's file name (called by whoever claimed the letter: a file
    already there was left by a worker killed before it recorded it, and is replaced, not kept beside)."""
    pdf = render_pdf("pdf/letter.html", context_for(letter))
    save_replacing(letter.pdf, f"{letter.prefix}-{letter.year}-{letter.serial}.pdf", pdf)
    Letter.objects.filter(pk=letter.pk).update(pdf=letter.pdf.name)


def save_replacing(file: FieldFile, name: str, content: bytes) -> None:
    """Store a document's file under its own name (the row is saved by the caller): a file already at that path was
    left by a worker killed before it recorded it, and is deleted first, so storage holds one file per document
    rather than the storage's renamed copy beside the orphan."""
    file.storage.delete(file.field.generate_filename(file.instance, name))
    file.save(name, ContentFile(content), save=False)


def finish_letter(letter: Letter) -> bool:
    """Render and store the PDF if missing, then send the letter once, to its unit and the units it copies;
    False when there was nothing left to do. Safe to call again (repair).

    Claimed first: the letter's row is locked and re-read, so of two workers finishing it the second waits and
    finds it done (one PDF, one sending); a worker that dies gives the lock back with its connection."""
    with transaction.atomic():
        pdf = Letter.objects.select_for_update(no_key=True).filter(pk=letter.pk).values_list("pdf", flat=True).first()
        sent = Message.objects.filter(letter=letter, kind=Message.Kind.LETTER).exists()
        if not pdf:
            store_pdf(letter)
        if sent:
            return not pdf
        copies = list(letter.copy_units.order_by("order", "name").prefetch_related("users"))
        body = (f"{letter.unit.name}：\n{letter.issuer}向你单位发出{letter.number}《{letter.title}》，"
                f"列明你单位逾期的{letter_scope(letter)}。请于{cn_date(letter.reply_due_on)}前"
                f"（{letter.reply_workdays}个工作日内）在系统中提交整改回复。")
        if copies:
            body += f"\n抄送：{'、'.join(u.name for u in copies)}。"
        message = Message.objects.create(
            kind=Message.Kind.LETTER, plan=letter.plan, unit=letter.unit, letter=letter,
            subject=f"{letter.number} {letter.title}", link=letter.get_absolute_url(), sent_by=letter.created_by,
            body=body,
        )
        dispatch(message, units=[letter.unit, *copies])
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
