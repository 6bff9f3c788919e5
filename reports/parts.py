"""A big report rendered in parts and merged into one PDF (issue #19): WeasyPrint keeps every page's layout until
it writes, so a city-wide report laid out whole takes a gigabyte and one core for half a minute.

Split. The report is cut at its sections (reports.render.SECTIONS): every section starts a new page, so a part
holding whole sections lays out exactly the pages the whole report has for them. A long table (the matrix, the
units, the ranking, the details, the evidence annex; at city scale each directory group's grid, a part or more
of its own) is cut into slices of ``PAGES_PER_PART`` pages of rows; a
later slice is the same table without its heading, its header row repeated as on any page it runs onto. Only the
last page of a slice can end a row or two early (a row that wraps takes two lines): the text, its order and the
figures are the whole report's. Every part is rendered from the one ``Report`` built for the job, so all parts
show the same data as of the same moment.

Page numbers. A part cannot know the page it starts on before the parts ahead of it are laid out, so parts are
rendered without numbers (in parallel, each in its own worker), and the merge stamps them: it lays out one
document of empty pages, one per page of the merged report and of the same size, carrying only the footer of
report.css ("— n —", none on the cover), and draws each of its pages over the page of the same number. The
footer is the report's own CSS, so it sits where the single-process report's sits, and it comes after the page's
text in the content stream as there. Laying out empty pages is cheap (about 0.1 s for 100 pages).
"""

import ctypes
import ctypes.util
import gc
import io
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from pypdf import PdfReader, PdfWriter

from reports.inspection import Report
from reports.render import ROW_END, SECTIONS, report_html, report_rows
from tracker.pdf import html_to_pdf, render_html

NUMBERS_TEMPLATE = "pdf/report_numbers.html"
# The long tables: section → the key of its rows in report_rows, and how many rows of one line fill its first
# page (under the heading) and every later page, counted on the city report. The details' rows (a unit's or a
# task's report) have a measure's text and often take two lines: their slices are sized for two.
TABLES = {
    "matrix": ("matrix", 34, 40),
    "units": ("units", 36, 38),
    "ranking": ("ranking", 33, 38),
    "details": ("details", 16, 19),
    "annex": ("evidence", 34, 38),
}
# A city-scale report's grid per directory group ("groups"): rows of its first page (under the group's heading)
# and of every later one. Each group's grid is a part of its own, or several when it is long.
GROUP_ROWS = (36, 40)
PAGES_PER_PART = 4
# glibc's malloc_trim, where there is one: it gives the memory freed after a part back to the system.
MALLOC_TRIM = getattr(ctypes.CDLL(ctypes.util.find_library("c")), "malloc_trim", None)


@dataclass(frozen=True)
class Part:
    """Some sections of the report, or a slice ``rows`` of one long table's rows."""

    show: tuple[str, ...]
    rows: tuple[int, int] | None = None
    group: int | None = None  # which group's grid, in a part of "groups"

    @property
    def continued(self) -> tuple[str, ...]:
        """The table whose heading this part leaves out: it goes on from an earlier part."""
        return self.show if self.rows and self.rows[0] else ()


def split(rows: dict[str, SafeString], pages: int = PAGES_PER_PART) -> list[Part]:
    """The report's parts, in order: each long table in slices of ``pages`` pages, the sections between them
    together."""
    parts, short = [], []

    def slices(section: str, count: int, first: int, later: int, group: int | None = None) -> None:
        if short:
            parts.append(Part(tuple(short)))
            short.clear()
        start, stop = 0, first + (pages - 1) * later
        while start < count:
            parts.append(Part((section,), (start, min(stop, count)), group))
            start, stop = stop, stop + pages * later

    for section in SECTIONS:
        if section == "groups":
            for i, (_, body) in enumerate(rows["group_grids"]):
                slices(section, body.count(ROW_END), *GROUP_ROWS, group=i)
            continue
        key, first, later = TABLES.get(section, ("", 0, 0))
        count = rows[key].count(ROW_END) if key else 0
        if count:
            slices(section, count, first, later)
        else:
            short.append(section)
    if short:
        parts.append(Part(tuple(short)))
    return parts


def _slice(body: str, start: int, stop: int) -> SafeString:
    """Rows ``start`` to ``stop`` of a table body joined by reports.render (each row ends with ROW_END)."""
    return mark_safe("".join(row + ROW_END for row in body.split(ROW_END)[start:stop]))


def part_html(report: Report, rows: dict[str, SafeString], part: Part) -> str:
    """One part as a document of its own: the report's template with the part's sections, without page numbers."""
    if part.group is not None:
        group, body = rows["group_grids"][part.group]
        rows = {**rows, "group_grids": [(group, _slice(body, *part.rows))]}
    elif part.rows:
        key = TABLES[part.show[0]][0]
        rows = {**rows, key: _slice(rows[key], *part.rows)}
    return report_html(report, rows=rows, show=part.show, continued=part.continued, parted=True)


def parts_html(report: Report, pages: int = PAGES_PER_PART) -> list[str]:
    """Every part of the report as HTML, in order."""
    rows = report_rows(report)
    return [part_html(report, rows, part) for part in split(rows, pages)]


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def merge(parts: list[bytes]) -> bytes:
    """The parts' PDFs as one, numbered "— n —" from the second page (see the module's docstring)."""
    writer = PdfWriter()
    for pdf in parts:
        writer.append(PdfReader(io.BytesIO(pdf)))
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    numbers = PdfReader(io.BytesIO(html_to_pdf(render_html(NUMBERS_TEMPLATE, {
        "pages": [width > height for width, height in sizes]}))))
    if len(numbers.pages) != len(sizes):
        raise RuntimeError(f"the page numbers came out on {len(numbers.pages)} pages for {len(sizes)}")
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
    first = PdfReader(io.BytesIO(parts[0]))
    writer.add_metadata({key: value for key, value in (first.metadata or {}).items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(html: str) -> bytes:
    """One part's PDF; its layout freed and handed back to the system afterwards, so that a process rendering part
    after part (a Huey worker, render_in_process) stays at one part's size instead of creeping up as freed memory
    stays in the allocator's arenas. In a worker whose start-up state was frozen (``freeze_start_up``) the
    collection walks the part's garbage only."""
    try:
        return html_to_pdf(html)
    finally:
        gc.collect()
        if MALLOC_TRIM is not None:
            MALLOC_TRIM(0)


def freeze_start_up() -> None:
    """For a worker process that renders parts, once it has started: what it holds now (Django, WeasyPrint, the
    fonts; alive for the process's life) is moved out of the collector's reach (gc.freeze), so the collection
    after each part walks that part's garbage only, not the whole process — measured on the city report under
    load, 0.73 s of collections over 12 parts instead of 2.5 s. Not for a process that keeps no such fixed state
    (a test run): what is frozen is never collected."""
    gc.collect()
    gc.freeze()


def render_in_process(report: Report) -> bytes:
    """The report's PDF rendered part after part in this process: one part's layout in memory at a time."""
    return merge([render(html) for html in parts_html(report)])
