"""Huey's periodic recovery job: a thin caller of tracker.recovery.recover."""

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tracker.recovery import recover

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute=f"*/{settings.RECOVERY_MINUTES}"), name="tracker.recover_work")
def recover_work():
    result = recover(timezone.now())
    if any(result.values()):
        logger.warning("recovered work left behind: %s", result)
    return result
