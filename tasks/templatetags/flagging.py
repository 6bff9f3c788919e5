"""The 挂牌督办 marker, one way for templates ({{ measure|flag_badge }}, tasks/_flag.html) and for the rows the
ledger writes in Python."""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

FLAG_LABEL = "挂牌"  # the marker's word, on pages and in the exports and reports (【挂牌】 before the measure)


def flagged_text(text: str, flagged_on) -> str:
    """A measure's text in an export or a report: 【挂牌】 before it while it is flagged."""
    return f"【{FLAG_LABEL}】{text}" if flagged_on is not None else text


@register.filter
def flag_badge(measure) -> SafeString | str:
    """挂牌 with when and why in its tooltip, for a flagged measure; nothing otherwise."""
    if measure is None or measure.flagged_on is None:
        return ""
    return format_html('<span class="tag red flag" data-testid="flag" title="挂牌督办（{}起）：{}">{}</span> ',
                       date_format(measure.flagged_on, "Y年n月j日"), measure.flag_reason, FLAG_LABEL)
