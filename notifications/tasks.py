"""Huey jobs: the daily sweep and the delivery of each message. Both are thin callers of plain functions."""

import logging
import math

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from notifications import channels
from notifications.models import Delivery
from notifications.sweep import finish_documents, run_sweep

logger = logging.getLogger(__name__)

RETRY_DELAYS = (60, 300)  # seconds before the 2nd and the 3rd try


def sweep_crontab():
    """SWEEP_TIME ("HH:MM", Beijing time: Huey runs with utc=False in TIME_ZONE) as a crontab."""
    hour, _, minute = settings.SWEEP_TIME.partition(":")
    return crontab(minute=str(int(minute or 0)), hour=str(int(hour)))


@db_periodic_task(sweep_crontab(), name="notifications.daily_sweep")
def daily_sweep():
    result = run_sweep(timezone.localdate())
    logger.info("sweep: %s", result)
    return result


@db_task(name="notifications.deliver")
def deliver(delivery_id: int):
    """One try at one delivery; a failed try is scheduled again after 1, then 5 minutes (3 tries in all), and
    one whose robot had its messages for the minute when its turn comes."""
    delivery = channels.attempt(delivery_id)
    if delivery is not None and delivery.state == Delivery.State.PENDING:
        delay = delivery.wait_seconds or RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
        deliver.schedule((delivery_id,), delay=math.ceil(delay))


@db_task(name="notifications.deliver_batch")
def deliver_batch(delivery_ids: list[int]):
    """The first try of each delivery a sweep created, in one queued job (retries go one by one)."""
    for delivery_id in delivery_ids:
        deliver.call_local(delivery_id)


@db_task(name="notifications.finish_documents")
def finish_documents_task(letter_ids: list[int], circular_ids: list[int]):
    """Typeset, store and send the letters and circulars a sweep numbered (or the recovery job found unfinished)."""
    _letters, _circulars, failed = finish_documents(letter_ids, circular_ids)
    if failed:
        logger.error("%s letters or circulars could not be finished; the next sweep or the recovery job tries "
                     "again", failed)
