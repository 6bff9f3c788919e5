"""Where a message goes: the in-app inbox, email, and WeCom / DingTalk group robots.

`dispatch` writes the inbox rows and one Delivery per (unit, channel) and hands the deliveries to Huey
after the transaction commits; `attempt` makes one try and records its outcome. One failing channel
never stops the others: each delivery is its own task and its own row.
"""

from django.conf import settings
from django.utils import timezone

from notifications import bulk, robots
from notifications.models import Delivery, Message, Notification
from notifications.robots import DeliveryError
from plans.models import Unit
from tracker.emails import notice_email
from tracker.models import User
from tracker.queue import enqueue_on_commit

DELIVERY_BATCH = 500  # deliveries per queued deliver_batch job


def absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


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
            kind = robots.kind(unit.webhook_url) if unit.webhook_url else None
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


def send(delivery: Delivery) -> None:
    """One delivery over its channel; raises DeliveryError on failure (a robot's: also when it must wait)."""
    message = delivery.message
    if delivery.channel == Delivery.Channel.EMAIL:
        email = notice_email(message, delivery.target.split(","))
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # any SMTP or socket failure is recorded, not raised further
            raise DeliveryError(f"邮件发送失败：{exc}") from exc
    else:
        robot = robots.Robot.of(delivery.target, delivery.unit)
        robots.send(robot, message.subject, message.body, absolute(message.link) if message.link else "")


def attempt(delivery_id: int) -> Delivery | None:
    """Make one try at a pending delivery and record it: sent, pending (will retry) or failed (3 tries, or at
    once when a robot refused it: another try would be refused too).

    The try is claimed by a conditional update of `attempts`, so two workers never send it twice; the
    network call happens outside any transaction. A robot that has had its messages for this minute (or
    that the platform silenced) spends no try: the delivery stays pending with `wait_seconds` set.
    """
    delivery = (Delivery.objects.select_related("unit", "message__letter", "message__circular")
                .filter(pk=delivery_id, state=Delivery.State.PENDING).first())
    if delivery is None:
        return None  # sent already, or given up
    claimed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING,
                                      attempts=delivery.attempts).update(attempts=delivery.attempts + 1)
    if claimed != 1:
        return None
    delivery.attempts += 1
    follow_the_units_robot(delivery)
    try:
        send(delivery)
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:2000]
        if exc.wait:
            delivery.attempts -= 1  # waiting its turn is no try
            delivery.wait_seconds = exc.wait
        elif exc.final or delivery.attempts >= Delivery.MAX_ATTEMPTS:
            delivery.state = Delivery.State.FAILED
    else:
        delivery.state = Delivery.State.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    delivery.save(update_fields=["channel", "target", "state", "attempts", "last_error", "sent_at", "updated_at"])
    return delivery


def follow_the_units_robot(delivery: Delivery) -> None:
    """A robot delivery goes to the unit's robot as it is set now: a retry after the lead office corrected
    the unit's 通知Webhook reaches the new robot, not the one that refused."""
    url = delivery.unit.webhook_url if delivery.unit is not None else ""
    if delivery.channel != Delivery.Channel.EMAIL and url and url != delivery.target and robots.kind(url):
        delivery.channel, delivery.target = robots.kind(url), url


def retry(delivery: Delivery) -> None:
    """The lead office's retry button (a failed or a stuck delivery): three fresh tries."""
    Delivery.objects.filter(pk=delivery.pk, state__in=[Delivery.State.FAILED, Delivery.State.PENDING]).update(
        state=Delivery.State.PENDING, attempts=0, updated_at=timezone.now())
    from notifications.tasks import deliver_batch

    enqueue_on_commit(deliver_batch, [delivery.pk])
