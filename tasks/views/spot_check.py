"""回头看: the lead office reopens a finished item for a spot check, with a reason the unit reads and a 整改期限
the ladder chases it by."""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tasks.forms import DATE_INPUT
from tracker import access


class ReopenForm(forms.Form):
    reason = forms.CharField(label="回头看原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="责任单位将看到此原因，并按要求重新报送；复核通过后恢复为已完成。",
                             error_messages={"required": "请填写回头看的原因。"})
    due_on = forms.DateField(label="整改期限", widget=DATE_INPUT,
                             help_text="回头看事项的新完成时限，到期未完成的按督办规则提醒、催办。",
                             error_messages={"required": "请填写整改期限。", "invalid": "请填写正确的日期。"})

    def clean_due_on(self) -> datetime.date:
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("整改期限不能早于今天。")
        return value


@access.signed_in
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a done assignment (进行中 again until the 整改期限, its history kept); the unit reports, and the
    review that passes the check makes it done again (Submission.decide)."""
    assignment = access.get_assignment_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if assignment.reopen(form.cleaned_data["reason"].strip(), request.user, due_on=form.cleaned_data["due_on"]):
            messages.success(request, f"已对“{assignment.unit}”的该项任务开展回头看，责任单位将看到回头看原因并重新报送。")
        else:
            messages.error(request, "该任务尚未完成，无需回头看。")
        return redirect("tasks:assignment", pk=assignment.pk)
    return render(request, "tasks/reopen.html", {"assignment": assignment, "form": form})
