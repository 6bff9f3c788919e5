from django import template

from indicators.figures import plain

register = template.Library()


@register.filter(name="plain")
def plain_filter(value) -> str:
    """A figure as people write it (1443, 443.47), "—" when there is none."""
    return "—" if value is None or value == "" else plain(value)
