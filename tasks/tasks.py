"""Huey job of the rounds: a thin caller of tasks.rounds.run_schedules (调度) and indicators.chasing.chase_figures
(数据报送)."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from indicators.chasing import chase_figures
from tasks.rounds import run_schedules

logger = logging.getLogger(__name__)


# Shortly after midnight (Beijing time), so that the day's 调度通知, 提醒 and 催报 ride in the morning's 每日汇总.
@db_periodic_task(crontab(minute="5", hour="0"), name="tasks.run_round_schedules")
def run_round_schedules():
    result = run_schedules(timezone.localdate(), timezone.now()) | chase_figures(timezone.localdate())
    logger.info("round schedules: %s", result)
    return result
