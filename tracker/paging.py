"""Every paged list: PER_PAGE rows unless a table says otherwise, and whatever ?page= or ?per_page= says —
junk, zero, negative, huge — a page is shown: a junk page number shows the first page, one past the end the
last; a junk, zero or negative number of rows per page the list's own, a huge one at most MAX_PER_PAGE.

``page_of`` pages a queryset for a template; ``paginate_table`` (and ``PagedTableMixin`` for class-based views)
does the same for a django-tables2 table, whose own RequestConfig lets ?per_page=-1 through to a 500.
"""

from collections.abc import Sequence

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tables2.views import SingleTableMixin

PER_PAGE = 50
MAX_PER_PAGE = 200  # rows a page may be asked to show (?per_page=): more is a full table's export's job


def rows_per_page(request: HttpRequest, default: int, param: str = "per_page") -> int:
    """?per_page= as a number of rows from 1 to MAX_PER_PAGE; the list's default when it is not one."""
    try:
        wanted = int(request.GET.get(param, ""))
    except ValueError:
        return default
    return default if wanted < 1 else min(wanted, MAX_PER_PAGE)


def page_of(request: HttpRequest, rows: QuerySet | Sequence, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The page of rows named by ?<param>= (two lists on one page use two parameters)."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))


def paginate_table(request: HttpRequest, table: tables.Table, per_page: int | None = None) -> tables.Table:
    """RequestConfig's sorting from the request, then the page and the rows per page as ``page_of`` takes them."""
    tables.RequestConfig(request, paginate=False).configure(table)
    size = rows_per_page(request, per_page or table._meta.per_page or PER_PAGE, table.prefixed_per_page_field)
    table.paginator = Paginator(table.rows, size)  # what Table.paginate sets, with get_page's forgiveness
    table.page = table.paginator.get_page(request.GET.get(table.prefixed_page_field))
    return table


class PagedTableMixin(SingleTableMixin):
    """SingleTableMixin whose table is paged by ``paginate_table`` (``table_per_page`` rows); the list view
    itself does not page (no paginate_by), so the rows are counted once."""

    table_per_page = PER_PAGE

    def get_table(self, **kwargs) -> tables.Table:
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return paginate_table(self.request, table, self.table_per_page)
