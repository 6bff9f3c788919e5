"""挂牌督办: the lead office flags a key measure (a marker on every page; a stricter ladder) or lifts the flag."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from notifications import follow_up
from tracker import access


class FlagForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写挂牌（或摘牌）的原因。"})


@access.signed_in
def measure_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """挂牌 an unflagged measure, 摘牌 a flagged one; the reason goes into the measure's history."""
    measure = access.get_measure_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"].strip()
        if measure.is_flagged:
            follow_up.unflag(measure, reason, request.user)
            messages.success(request, "已摘牌，该措施恢复按方案的一般督办节奏。")
        else:
            follow_up.flag(measure, reason, request.user, timezone.localdate())
            messages.success(request, "已挂牌督办：各页面将标注“挂牌”，逾期后按督办设置中的挂牌督办催办间隔从严催办。")
        return redirect("tasks:task_measures", pk=measure.task_id)
    return render(request, "tasks/manage/measure_flag.html", {"measure": measure, "form": form})
