"""Pages of the follow-up ladder: inbox, letters, circulars, failed deliveries, ladder settings, sending by hand."""

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from notifications import channels, circulars, follow_up, letters
from notifications.forms import (
    CircularForm,
    LadderConfigForm,
    ManualStepForm,
    NotifyModeForm,
    PauseForm,
    ReplyForm,
    WithdrawForm,
)
from notifications.ladder import Timing, schedule
from notifications.models import Delivery, LadderConfig, LetterReply, Message, Notification, Step
from notifications.sweep import notice_list, send_by_hand
from tasks.models import RoundNotice
from tasks.uploads import UploadRejected, check_files
from tracker import access
from tracker.formats import cn_date
from tracker.paging import page_of
from tracker.workdays import add_workdays

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _pdf_response(data_or_file, filename: str, *, inline: bool = True):
    disposition = "inline" if inline else "attachment"
    if isinstance(data_or_file, bytes):
        response = HttpResponse(data_or_file, content_type="application/pdf")
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{filename}"
        return response
    return FileResponse(data_or_file, content_type="application/pdf", as_attachment=not inline, filename=filename)


@login_required  # one's own messages: marking them read is not a change an inspector is refused
def inbox(request):
    """The user's messages, newest first, 50 a page; ?unread=1 shows the unread ones only."""
    mine = access.notifications_for(request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "已全部标记为已读。")
        return redirect("notifications:inbox")
    unread_only = request.GET.get("unread") == "1"
    rows = mine.select_related("message")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = page_of(request, rows)
    digests = [n.message for n in page if n.message.kind == Message.Kind.DIGEST]
    if digests:  # a digest shows as one item with its list, each line a link to the item's page
        lines: dict[int, list] = {}
        for step in (Step.objects.filter(message__in=digests).select_related("assignment__measure__task")
                     .order_by("-kind", "due_on", "pk")):
            lines.setdefault(step.message_id, []).append(step)
        for message in digests:
            message.steps = lines.get(message.pk, [])
            for step in message.steps:
                days = (message.digest_on - step.due_on).days
                step.note = f"已逾期{days}天" if days > 0 else ("今天到期" if days == 0 else f"还有{-days}天")
        notices: dict[int, list] = {}  # the rounds' notices the digest carries, in its order (sweep.notice_list)
        for notice in notice_list(RoundNotice.objects.filter(message__in=digests)):
            notices.setdefault(notice.message_id, []).append(notice)
        for message in digests:
            message.round_notices = notices.get(message.pk, [])
    mode_form = NotifyModeForm(instance=request.user.unit) if request.user.is_liaison and request.user.unit else None
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only,
                                                        "mode_form": mode_form})


@access.signed_in
@require_POST
def notify_mode(request):
    """A liaison chooses how its unit hears of the ladder: the day's digest, or one message per item."""
    access.require_liaison(request.user)
    unit = request.user.unit
    form = NotifyModeForm(request.POST, instance=unit)
    if form.is_valid():
        unit._change_reason = "修改提醒方式"
        unit._history_user = request.user
        form.save()
        messages.success(request, f"提醒方式已改为“{unit.get_notify_mode_display()}”，自下次督办起生效。")
    return redirect("notifications:inbox")


@login_required
@require_POST
def read(request, pk):
    notification = access.get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect(notification.message.link or "notifications:inbox")


@access.signed_in
@require_safe
def letter_list(request):
    today = timezone.localdate()
    rows = (access.letters_for(request.user).select_related("unit", "plan").order_by("-year", "-serial", "-id")
            .prefetch_related(Prefetch("replies", queryset=LetterReply.objects.order_by("created_at"))))
    page = page_of(request, rows)
    for letter in page:  # the page's letters, read once with their replies
        letter.state = letter.reply_state(today)
    return render(request, "notifications/letter_list.html", {"page": page})


@access.signed_in
def letter_detail(request, pk):
    letter = access.get_letter_for_user(request.user, pk, write=request.method == "POST")
    reply_form, withdraw_form = ReplyForm(), WithdrawForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "withdraw":
            access.require_lead(request.user)
            withdraw_form = WithdrawForm(request.POST)
            if withdraw_form.is_valid():
                try:
                    letters.withdraw(letter, request.user, withdraw_form.cleaned_data["reason"])
                except ValueError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, f"{letter.number}已作废，文号保留。")
                return redirect(letter)
        elif action == "reply":
            access.require_addressee(request.user, letter)
            reply_form = ReplyForm(request.POST, request.FILES)
            if letter.is_withdrawn:
                messages.error(request, "该函告已作废，无需回复。")
                return redirect(letter)
            if reply_form.is_valid():
                try:
                    checked = check_files(reply_form.cleaned_data["files"])
                except UploadRejected as exc:
                    for text in exc.messages:
                        reply_form.add_error("files", text)
                else:
                    letters.save_reply(letter, request.user, reply_form.cleaned_data["text"], checked)
                    messages.success(request, "整改回复已提交。")
                    return redirect(letter)
        else:
            raise Http404("未知操作。")
    today = timezone.localdate()
    context = {
        "letter": letter,
        "copy_units": letters.copy_names(letter),
        "state": letter.reply_state(today),
        "items": letter.items.select_related("assignment__measure__task"),
        "replies": letter.replies.select_related("author").prefetch_related("files"),
        "reply_form": reply_form,
        "withdraw_form": withdraw_form,
    }
    return render(request, "notifications/letter_detail.html", context)


@access.signed_in
@require_safe
def letter_pdf(request, pk):
    letter = access.get_letter_for_user(request.user, pk)
    if not letter.pdf:
        raise Http404("PDF尚未生成。")
    return _pdf_response(letter.pdf.open("rb"), f"{letter.number}.pdf")


@access.signed_in
@require_safe
def letter_docx(request, pk):
    """The letter as .docx (the same text as its PDF), built on request."""
    letter = access.get_letter_for_user(request.user, pk)
    return _docx_response(letters.letter_docx(letter), f"{letter.number}.docx")


@access.signed_in
@require_safe
def reply_file(request, pk):
    row = access.get_reply_file_for_user(request.user, pk)
    return FileResponse(row.file.open("rb"), content_type=row.content_type, as_attachment=True,
                        filename=row.original_name)


@access.signed_in
@require_safe
def circular_list(request):
    rows = access.circulars_for(request.user).select_related("plan", "round").order_by("-year", "-serial", "-id")
    page = page_of(request, rows)
    plans = access.plans_for(request.user).order_by("title") if request.user.is_lead else []
    return render(request, "notifications/circular_list.html", {"page": page, "plans": plans})


@access.signed_in
@require_safe
def circular_detail(request, pk):
    circular = access.get_circular_for_user(request.user, pk)
    return render(request, "notifications/circular_detail.html", {"circular": circular, "c": circular.content})


@access.signed_in
@require_safe
def circular_pdf(request, pk):
    circular = access.get_circular_for_user(request.user, pk)
    if not circular.pdf:
        raise Http404("PDF尚未生成。")
    return _pdf_response(circular.pdf.open("rb"), f"{circular.number}.pdf")


@access.signed_in
@require_safe
def circular_docx(request, pk):
    """The circular as .docx (the same text as its PDF), built on request."""
    circular = access.get_circular_for_user(request.user, pk)
    return _docx_response(circulars.circular_docx(circular), f"{circular.number}.docx")


@access.signed_in
def circular_new(request, plan_pk):
    plan = access.get_plan_for_user(request.user, plan_pk, write=request.method == "POST")
    access.require_overseer(request.user)
    today = timezone.localdate()
    form = CircularForm(request.POST if request.method == "POST" else (request.GET or None), plan=plan)
    rnd = form.cleaned_data["round"] if form.is_bound and form.is_valid() else None
    if request.GET.get("preview"):
        return _pdf_response(circulars.preview_pdf(plan, today, rnd), "通报预览.pdf")
    if request.method == "POST":
        access.require_lead(request.user)
        if form.is_valid():
            circular = circulars.issue_circular(plan, today, rnd=rnd, user=request.user)
            if circular is None:
                messages.error(request, "该调度的通报已经印发。")
                return redirect("notifications:circulars")
            circulars.finish_circular(circular)
            messages.success(request, f"{circular.number}已印发并发送给全部单位。")
            return redirect(circular)
    content = circulars.circular_content(plan, today, rnd)
    return render(request, "notifications/circular_new.html", {"plan": plan, "form": form, "c": content})


@access.overseers_only
@require_safe
def delivery_list(request):
    """Failed deliveries, and those stuck pending (their worker died or their enqueue failed), with a retry."""
    rows = (access.deliveries_for(request.user).needs_attention(timezone.now())
            .select_related("message", "unit"))
    page = page_of(request, rows)
    return render(request, "notifications/delivery_list.html", {"page": page})


@access.signed_in
@require_POST
def delivery_retry(request, pk):
    delivery = access.get_delivery_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    if not Delivery.objects.needs_attention(timezone.now()).filter(pk=delivery.pk).exists():
        messages.info(request, "该通知已发送成功或正在发送，无需重新发送。")
        return redirect("notifications:deliveries")
    channels.retry(delivery)
    messages.success(request, "已重新发送。")
    return redirect("notifications:deliveries")


@access.signed_in
def ladder_config(request, plan_pk):
    plan = access.get_plan_for_user(request.user, plan_pk, write=request.method == "POST")
    access.require_overseer(request.user)
    config = LadderConfig.for_plan(plan)
    today = timezone.localdate()
    form = LadderConfigForm(request.POST or None, instance=config)
    pause_form = PauseForm(request.POST or None, today=today) if config.paused_reason else None
    if request.method == "POST":
        access.require_lead(request.user)
        if request.POST.get("action") == "resolve" and pause_form is not None:
            form = LadderConfigForm(instance=config)
            if pause_form.is_valid():
                data = pause_form.cleaned_data
                if data["choice"] == PauseForm.RESCHEDULE:
                    count = follow_up.reschedule(plan, data["due_on"], data["reason"], request.user, today)
                    messages.success(request, f"已将{count}项任务的完成时限重新设定为{cn_date(data['due_on'])}，"
                                              "自动督办已恢复。")
                else:
                    count = follow_up.record_as_historical(plan, data["reason"], request.user, today)
                    messages.success(request, f"已将{count}项任务记为历史事项（不再督办），自动督办已恢复。")
                return redirect("notifications:ladder_config", plan_pk=plan.pk)
        elif form.is_valid():
            config = form.save()
            messages.success(request, "督办设置已保存，自下次扫描起生效。")
            return redirect("notifications:ladder_config", plan_pk=plan.pk)
    example_due = today + datetime.timedelta(days=10)
    config = LadderConfig.objects.get(pk=config.pk)  # as saved, not as (mis)typed in the form
    example = [(rung.on, rung.label) for rung in
               schedule(Timing.of(config), example_due, example_due + datetime.timedelta(days=30))]
    example += [(add_workdays(example_due, config.letter_after_workdays), "函告（经催办仍未完成时）"),
                (add_workdays(example_due, config.circular_after_workdays), "列入下一期通报（仍未完成时）")]
    past_due = follow_up.unchased_past_due(plan, today).select_related("unit", "measure__task") if pause_form else None
    return render(request, "notifications/ladder_config.html", {
        "plan": plan, "config": config, "form": form, "pause_form": pause_form, "example_due": example_due,
        "example": sorted(example), "past_due": past_due.order_by("due_on", "pk")[:20] if past_due is not None else [],
        "past_due_count": past_due.count() if past_due is not None else 0})


@access.signed_in
def assignment_ladder(request, pk):
    assignment = access.get_assignment_for_user(request.user, pk, write=request.method == "POST")
    form = ManualStepForm(request.POST or None)
    if request.method == "POST":
        access.require_lead(request.user)
        if form.is_valid():
            try:
                send_by_hand(assignment, form.cleaned_data["kind"], timezone.localdate(), user=request.user,
                             note=form.cleaned_data["note"])
            except ValueError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已向{assignment.unit.name}发送{dict(form.fields['kind'].choices)[form.cleaned_data['kind']]}。")
            return redirect("notifications:assignment", pk=assignment.pk)
    context = {
        "assignment": assignment,
        "steps": assignment.ladder_steps.select_related("message").order_by("sent_on", "id"),
        "sent": assignment.messages.filter(sent_by__isnull=False).select_related("sent_by").order_by("-created_at"),
        "letters": access.letters_for(request.user).filter(items__assignment=assignment).distinct(),
        "form": form,
    }
    return render(request, "notifications/assignment.html", context)


@access.signed_in
def unit_letter(request, unit_pk, plan_pk):
    """The lead office writes a letter to a unit by hand: the overdue items, a PDF preview, then issue."""
    write = request.method == "POST"
    unit = access.get_unit_for_user(request.user, unit_pk, write=write)
    plan = access.get_plan_for_user(request.user, plan_pk, write=write)
    access.require_overseer(request.user)
    today = timezone.localdate()
    if request.GET.get("preview"):
        return _pdf_response(letters.preview_pdf(plan, unit, today), "函告预览.pdf")
    if request.method == "POST":
        access.require_lead(request.user)
        letter, created = letters.issue_by_hand(plan, unit, today, request.user)
        if letter is None:
            messages.error(request, f"{unit.name}在该方案中没有经催办仍未完成的逾期任务，无需函告。")
            return redirect("notifications:unit_letter", unit_pk=unit.pk, plan_pk=plan.pk)
        letters.finish_letter(letter)  # a repeated request finishes what the first left undone
        if created:
            messages.success(request, f"{letter.number}已编号并发送给{unit.name}。")
        else:
            messages.info(request, f"这些逾期任务已由{letter.number}函告{unit.name}，未重复编号。")
        return redirect(letter)
    items = letters.letter_items(plan, unit, today)
    copies = letters.copy_units_for(plan, [(unit.pk, item["assignment"].measure_id) for item in items])
    history = access.letters_for(request.user).filter(plan=plan, unit=unit)
    return render(request, "notifications/unit_letter.html", {
        "unit": unit, "plan": plan, "items": items, "history": history, "today": today,
        "copy_units": [u.name for u in sorted(copies.get(unit.pk, ()), key=lambda u: (u.order, u.name))]})

