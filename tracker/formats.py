"""How the tracker writes dates and figures for people: 2024年6月30日 (Arabic digits, as GB/T 9704 asks), 58.5."""

import datetime
from decimal import Decimal

from django.utils import timezone


def cn_date(value: datetime.date | datetime.datetime | None) -> str:
    """2024年6月30日; a moment is shown as its Beijing date; None as an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_figure(value) -> str:
    """A reported or target figure as people write it: 60, 58.5, 100 (no trailing zeros, never 1E+2);
    None as an empty string."""
    if value is None:
        return ""
    return f"{Decimal(str(value)).normalize():f}"
