from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tracker.workbench import open_rounds, work_items


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "tracker/home.html", {
        "today": today,
        "items": work_items(request.user, today),
        "rounds": open_rounds(request.user, today),
    })
