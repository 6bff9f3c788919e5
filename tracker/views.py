from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker import access
from tracker.workbench import open_rounds, work_items


@access.signed_in
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "tracker/home.html", {
        "today": today,
        "items": work_items(request.user, today),
        "rounds": open_rounds(request.user, today),
    })
