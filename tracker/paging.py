"""Every paged list shows PER_PAGE rows; a junk or out-of-range page number shows the first or last page."""

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, rows: QuerySet | Sequence, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The page of rows named by ?<param>= (two lists on one page use two parameters)."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))
