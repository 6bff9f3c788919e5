"""How the tracker writes dates for people: 2024年6月30日 (Arabic digits, as GB/T 9704 asks)."""

import datetime

from django.utils import timezone


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    """2024年6月30日; a moment is shown as its Beijing date; None as an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"
