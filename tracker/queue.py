"""Handing work to Huey without making the request that saved it fail.

The work is saved first (a report job, a delivery, a letter); the queue only says "do it now". When the queue
cannot be reached (Redis down, the SQLite queue locked), the enqueue is logged and the saved work waits for the
periodic recovery job (tracker.recovery), which finds it by its stored state and queues it again.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Queue `task(*args)`; False (and an error in the log) when the queue cannot be reached."""
    try:
        task(*args)
    except Exception:  # any storage failure: redis.ConnectionError, sqlite3.OperationalError, …
        logger.exception("could not queue %s%r; the recovery job will queue it again", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """`enqueue` once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args))
