from tracker.access import notifications_for


def unread(request) -> dict:
    """`unread_count` for the header (None when signed out, so base.html hides the inbox link).

    Counted once per request: templates rendered inside the page with the request (django-tables2's
    table) run the context processors again.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": None}
    if not hasattr(request, "_unread_count"):
        request._unread_count = notifications_for(user).filter(read_at__isnull=True).count()
    return {"unread_count": request._unread_count}
