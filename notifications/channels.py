"""Where a message goes: the in-app inbox, email, and WeCom / DingTalk group robots.

`dispatch` writes the inbox rows and one Delivery per (unit, channel) and hands the deliveries to Huey
after the transaction commits; `attempt` makes one try and records its outcome. One failing channel
never stops the others: each delivery is its own task and its own row.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils import timezone

from notifications import bulk
from notifications.models import Delivery, Message, Notification
from plans.models import Unit
from tracker.emails import notice_email
from tracker.models import User
from tracker.queue import enqueue_on_commit

WEBHOOK_TIMEOUT = 10
DELIVERY_BATCH = 500  # deliveries per queued deliver_batch job


def webhook_kind(url: str) -> str | None:
    """wecom / dingtalk from the robot URL's host (or, for a relay, its path); None if neither."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "qyapi.weixin.qq.com" or parts.path.endswith("/cgi-bin/webhook/send"):
        return Delivery.Channel.WECOM
    if host == "oapi.dingtalk.com" or parts.path.endswith("/robot/send"):
        return Delivery.Channel.DINGTALK
    return None


def absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


# The most markdown text (UTF-8 bytes) a group robot accepts in one message: WeCom refuses longer content
# (errcode 40058), DingTalk's limit is about 20,000 bytes.
ROBOT_LIMITS = {Delivery.Channel.WECOM: 4096, Delivery.Channel.DINGTALK: 20000}


def markdown(message: Message, limit: int | None = None) -> str:
    """The message as robot markdown; over `limit` bytes, the body's first lines that fit and a pointer to the
    rest (a long digest: the full list is one click away)."""
    head = [f"### {message.subject}", ""]
    body = [line for line in message.body.splitlines() if line.strip()]
    tail = ["", f"[查看详情]({absolute(message.link)})"] if message.link else []
    text = "\n".join(head + body + tail)
    if limit is None or len(text.encode()) <= limit:
        return text
    def rest(n: int) -> str:
        return f"……其余{n}行未列出，请点击查看详情"

    kept: list[str] = []
    for line in body:
        if len("\n".join(head + kept + [line, rest(len(body) - len(kept) - 1)] + tail).encode()) > limit:
            break
        kept.append(line)
    return "\n".join(head + kept + [rest(len(body) - len(kept))] + tail)


def webhook_payload(channel: str, message: Message) -> dict:
    text = markdown(message, ROBOT_LIMITS[channel])
    if channel == Delivery.Channel.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}


def unit_emails(unit: Unit) -> list[str]:
    """The unit's mailbox and its active liaisons' addresses, without repeats."""
    addresses = [unit.email] if unit.email else []
    for user in unit.users.all():
        if user.is_active and user.email and user.email not in addresses:
            addresses.append(user.email)
    return addresses


def dispatch(message: Message, units: list[Unit] | None = None, users: list[User] | None = None) -> list[Delivery]:
    """Inbox rows for the units' active liaisons (and the given users), and email / webhook deliveries
    per unit. Deliveries start after the surrounding transaction commits."""
    return dispatch_many([(message, list(units or []))], users=users)


def dispatch_many(batch: list[tuple[Message, list[Unit]]], users: list[User] | None = None) -> list[Delivery]:
    """`dispatch` for many messages in a few queries (the units' `users` should be prefetched)."""
    notifications, deliveries = [], []
    for message, units in batch:
        recipients: dict[int, User] = {u.pk: u for u in users or []}
        for unit in units:
            for user in unit.users.all():
                if user.is_active:
                    recipients[user.pk] = user
            emails = unit_emails(unit)
            if emails:
                deliveries.append(Delivery(message=message, unit=unit, channel=Delivery.Channel.EMAIL,
                                           target=",".join(emails)))
            kind = webhook_kind(unit.webhook_url) if unit.webhook_url else None
            if kind:
                deliveries.append(Delivery(message=message, unit=unit, channel=kind, target=unit.webhook_url))
        notifications += [Notification(message=message, user=user) for user in recipients.values()]
    # fresh messages, recipients unique per message: plain inserts (bulk.insert: no per-value compiling)
    bulk.insert(notifications, ["message", "user"])
    bulk.insert(deliveries, ["message", "unit", "channel", "target", "state", "attempts", "last_error",
                             "created_at", "updated_at"])
    if deliveries:
        from notifications.tasks import deliver_batch

        ids = [d.pk for d in deliveries]
        for start in range(0, len(ids), DELIVERY_BATCH):  # a few queued jobs, each trying a batch
            enqueue_on_commit(deliver_batch, ids[start:start + DELIVERY_BATCH])
    return deliveries


class DeliveryError(Exception):
    pass


def _post_json(url: str, payload: dict) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"连接失败：{exc}") from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError as exc:
        raise DeliveryError("机器人返回的不是JSON") from exc
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"机器人返回错误 {answer.get('errcode')}：{answer.get('errmsg', '')}")


def send(delivery: Delivery) -> None:
    """One delivery over its channel; raises on failure."""
    message = delivery.message
    if delivery.channel == Delivery.Channel.EMAIL:
        email = notice_email(message, delivery.target.split(","))
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # any SMTP or socket failure is recorded, not raised further
            raise DeliveryError(f"邮件发送失败：{exc}") from exc
    else:
        _post_json(delivery.target, webhook_payload(delivery.channel, message))


def attempt(delivery_id: int) -> Delivery | None:
    """Make one try at a pending delivery and record it: sent, pending (will retry) or failed (3 tries).

    The try is claimed by a conditional update of `attempts`, so two workers never send it twice; the
    network call happens outside any transaction.
    """
    delivery = (Delivery.objects.select_related("message__letter", "message__circular")
                .filter(pk=delivery_id, state=Delivery.State.PENDING).first())
    if delivery is None:
        return None  # sent already, or given up
    claimed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING,
                                      attempts=delivery.attempts).update(attempts=delivery.attempts + 1)
    if claimed != 1:
        return None
    delivery.attempts += 1
    try:
        send(delivery)
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:2000]
        if delivery.attempts >= Delivery.MAX_ATTEMPTS:
            delivery.state = Delivery.State.FAILED
    else:
        delivery.state = Delivery.State.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    delivery.save(update_fields=["state", "last_error", "sent_at", "updated_at"])
    return delivery


def retry(delivery: Delivery) -> None:
    """The lead office's retry button (a failed or a stuck delivery): three fresh tries."""
    Delivery.objects.filter(pk=delivery.pk, state__in=[Delivery.State.FAILED, Delivery.State.PENDING]).update(
        state=Delivery.State.PENDING, attempts=0, updated_at=timezone.now())
    from notifications.tasks import deliver_batch

    enqueue_on_commit(deliver_batch, [delivery.pk])
