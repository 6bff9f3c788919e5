"""回头看: the lead office reopens a finished item for a spot check, with a reason the unit reads."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tracker import access


class ReopenForm(forms.Form):
    reason = forms.CharField(label="回头看原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="责任单位将看到此原因，并按要求重新报送；复核通过后恢复为已完成。",
                             error_messages={"required": "请填写回头看的原因。"})


@access.signed_in
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a done assignment (进行中 again, its history kept); the unit reports, and the review that passes
    the check makes it done again (Submission.decide)."""
    assignment = access.get_assignment_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if assignment.reopen(form.cleaned_data["reason"].strip(), request.user):
            messages.success(request, f"已对“{assignment.unit}”的该项任务开展回头看，责任单位将看到回头看原因并重新报送。")
        else:
            messages.error(request, "该任务尚未完成，无需回头看。")
        return redirect("tasks:assignment", pk=assignment.pk)
    return render(request, "tasks/reopen.html", {"assignment": assignment, "form": form})
