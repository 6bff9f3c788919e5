"""Who may see which letter, circular, message and delivery (one helper per object type)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from notifications.models import Circular, Letter, Notification, ReplyFile
from tasks.access import check_write


def letters_for(user) -> QuerySet[Letter]:
    """All letters for the lead office and inspectors; a liaison sees those addressed or copied (抄送) to its unit."""
    if user.can_read_all:
        return Letter.objects.all()
    if user.is_liaison and user.unit_id:
        copied = Letter.copy_units.through.objects.filter(unit_id=user.unit_id).values("letter_id")
        return Letter.objects.filter(Q(unit_id=user.unit_id) | Q(pk__in=copied))
    return Letter.objects.none()


def get_letter_for_user(user, pk, *, write: bool = False) -> Letter:
    try:
        letter = letters_for(user).select_related("plan", "unit").get(pk=pk)
    except Letter.DoesNotExist:
        raise Http404("未找到，或无权查看。") from None
    if write:
        check_write(user)
    return letter


def get_reply_file_for_user(user, pk) -> ReplyFile:
    try:
        return ReplyFile.objects.select_related("reply__letter").get(pk=pk, reply__letter__in=letters_for(user))
    except ReplyFile.DoesNotExist:
        raise Http404("未找到，或无权查看。") from None


def get_circular_for_user(user, pk) -> Circular:
    """Circulars go to all units: every signed-in role may read them."""
    try:
        return Circular.objects.select_related("plan").get(pk=pk)
    except Circular.DoesNotExist:
        raise Http404("未找到。") from None


def get_notification_for_user(user, pk) -> Notification:
    try:
        return Notification.objects.select_related("message").get(pk=pk, user=user)
    except Notification.DoesNotExist:
        raise Http404("未找到。") from None
