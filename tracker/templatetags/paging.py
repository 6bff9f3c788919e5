"""The pager's page numbers and links, for any Django page (a list view's or a django-tables2 table's)."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_links(page: Page) -> list:
    """1 … 4 5 [6] 7 8 … 40: the first and last page, two either side of the current one, gaps as "…"."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number: int) -> str:
    """This page's query string with param set to number, every other parameter (filters, sort) kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
