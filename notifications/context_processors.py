from notifications.models import Notification


def unread(request) -> dict:
    """`unread_count` for the header (None when signed out, so base.html hides the inbox link)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": None}
    return {"unread_count": Notification.objects.filter(user=user, read_at__isnull=True).count()}
