from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from tracker import access
from tracker.plan_choice import choose_plan
from tracker.workbench import open_rounds, work_items


@access.signed_in
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    plan, plans = choose_plan(request)
    return render(request, "tracker/home.html", {
        "today": today, "plan": plan, "plans": plans,
        "items": work_items(request.user, today, plan),
        "rounds": open_rounds(request.user, plan),
    })


# --- error pages (handler403 / handler404 in tracker/urls.py; 500.html is rendered without a request) ----------


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in the site's layout, with the refusal's reason (tracker.access words every PermissionDenied)."""
    return render(request, "403.html", {"reason": str(exception), "back": came_from(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 in the site's layout. The message of our own Http404s is shown ("PDF尚未生成。"); Django's own
    (no URL matched, get_object_or_404) are English and name models, so they give way to a general reason."""
    message = exception.args[0] if exception.args else ""
    own = isinstance(message, str) and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return render(request, "404.html", {"reason": message if own else "", "back": came_from(request)}, status=404)


def came_from(request: HttpRequest) -> str | None:
    """The page that linked here, for 返回上一页: only a page of this site, and not the refused page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    return referer if urlsplit(referer).path != request.path else None
