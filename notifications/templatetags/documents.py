"""Filters for official documents: 2024年7月20日 dates and 一、二、三 numbering."""

import datetime

from django import template

from tracker import formats

register = template.Library()

DIGITS = "零一二三四五六七八九"


@register.filter
def cn_date(day: datetime.date | None) -> str:
    return formats.cn_date(day)


@register.filter
def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (enough for headings)."""
    n = int(n)
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")
