"""Reports to files: the PDF through tracker.pdf, the workbook through reports.xlsx.

The template (templates/pdf/report.html) lays out the report's structure; the long repeated sections — the
task × unit matrix, the unit table, the overdue list, the details, the letters and the evidence index, tens
of thousands of cells in a city-wide report — are joined here once as escaped HTML, which is many times
faster than the template engine's per-cell variable lookups. Their markup stays exactly what a template
loop would have produced.
"""

import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

from reports.inspection import KIND_UNIT, Report, UnitRow
from tracker.pdf import html_to_pdf, render_html

TEMPLATE = "pdf/report.html"
# The template's sections, in order; a part of a big report (reports.parts) renders some of them. "groups" is a
# city-scale report's unit grid per directory group, after the matrix by group.
SECTIONS = ("cover", "summary", "matrix", "groups", "overdue", "units", "ranking", "details", "problems", "annex")
ROW_END = "</tr>\n  "
# A span of years in a title (2023—2025年) is set on one line: the cover never breaks it at the dash.
YEAR_SPAN = re.compile(r"\d{4}\s*[—–-]+\s*\d{4}年?")
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


class _Escaped(dict):
    """Escaped text, memoised: unit names and measure texts repeat across thousands of rows."""

    def __missing__(self, text: str) -> str:
        value = self[text] = escape(str(text))
        return value


def _join(rows: list[str]) -> SafeString:
    return mark_safe("".join(rows))


def _date(text: str, esc: _Escaped) -> str:
    """A date that never breaks inside (2024年7月18日), whatever the column's width."""
    return f'<span class="nowrap">{esc[text]}</span>' if text else ""


def unbroken(text: str, pattern: re.Pattern = DATE) -> SafeString:
    """The text, escaped, with what ``pattern`` matches (dates; spans of years) kept on one line."""
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last:match.start()]), f'<span class="nowrap">{escape(match.group())}</span>']
        last = match.end()
    return mark_safe("".join(parts) + escape(text[last:]))


def matrix_rows(units: list[UnitRow], esc: _Escaped) -> SafeString:
    """The task × unit grid's rows: the report's units, or one directory group's at city scale."""
    cells: dict[tuple[str, str], str] = {}
    rows = []
    for u in units:
        parts = [f'<tr><td class="name">{esc[u.unit.name]}</td>']
        for cell in u.cells:
            html = cells.get(cell)
            if html is None:
                html = cells[cell] = f'<td class="cell l-{esc[cell[0]]}">{esc[cell[1]]}</td>'
            parts.append(html)
        parts.append(f'<td class="num">{u.tally.percent}%</td>{ROW_END}')
        rows.append("".join(parts))
    return _join(rows)


def group_matrix_rows(report: Report, esc: _Escaped) -> SafeString:
    """The matrix by directory group (a city-scale report): per task the rate, and the units at red and yellow."""
    rows = []
    for g in report.groups:
        parts = [f'<tr><td class="name">{esc[g.name]}</td>']
        for c in g.cells:
            flags = f"<br>{esc[c.flags]}" if c.flags else ""
            parts.append(f'<td class="cell l-{esc[c.light]}">{c.rate}{flags}</td>')
        parts.append(f'<td class="num">{len(g.units)}</td><td class="num">{g.tally.percent}%</td>{ROW_END}')
        rows.append("".join(parts))
    return _join(rows)


def unit_rows(report: Report, esc: _Escaped) -> SafeString:
    rows = []
    for u in report.units:
        t = u.tally
        rows.append(
            f'<tr><td>{esc[u.unit.name]}</td><td class="num">{t.total}</td><td class="num">{t.done}</td>'
            f'<td class="num">{t.on_time}</td><td class="num">{t.overdue}</td><td class="num">{t.pending}</td>'
            f'<td class="num">{t.percent}%</td>{ROW_END}'
        )
    return _join(rows)


def _measure(measure: str, period: str, esc: _Escaped) -> str:
    return f"{esc[measure]}（{esc[period]}）" if period else esc[measure]


def overdue_rows(report: Report, esc: _Escaped) -> SafeString:
    return _join([
        f'<tr><td class="c">{esc[g.task]}</td><td>{_measure(g.measure, g.period, esc)}</td><td>{_date(g.due_on, esc)}</td>'
        f'<td class="num">{g.days_late}</td><td>{"、".join(esc[u] for u in g.units)}</td>{ROW_END}'
        for g in report.overdue_groups
    ])


def detail_rows(report: Report, esc: _Escaped) -> SafeString:
    by_task = report.kind == KIND_UNIT
    return _join([
        (f'<tr><td class="c">{esc[d.task]}' if by_task else f"<tr><td>{esc[d.unit]}")
        + f"</td><td>{_measure(d.measure, d.period, esc)}</td><td>{_date(d.due_on, esc)}</td>"
        f'<td class="c">{esc[d.status]}</td><td class="c l-{esc[d.light]}">{esc[d.light_label]}</td>'
        f'<td class="num">{"" if d.days_late is None else d.days_late}</td>{ROW_END}'
        for d in report.details
    ])


def letter_rows(report: Report, esc: _Escaped) -> SafeString:
    return _join([
        f"<tr><td>{esc[l.number or '—']}</td><td>{esc[l.unit]}</td><td>{_date(l.issued_on, esc)}</td>"
        f"<td>{_date(l.reply_due, esc) or '—'}</td><td>{unbroken(l.state)}</td>{ROW_END}"
        for l in report.letters  # noqa: E741
    ])


def ranking_rows(report: Report, esc: _Escaped) -> SafeString:
    return _join([
        f'<tr><td class="c">{s.rank}</td><td>{esc[s.unit.name]}</td><td class="num">{s.on_time_points}</td>'
        f'<td class="num">{s.target_points}</td><td class="num">{s.quality_points}</td>'
        f'<td class="num">{s.overdue_off or ""}</td><td class="num">{s.letters_off or ""}</td>'
        f'<td class="num">{s.rounds_off or ""}</td><td class="num total">{s.total}</td>{ROW_END}'
        for s in report.ranking.units
    ]) if report.ranking else _join([])


def evidence_rows(report: Report, esc: _Escaped) -> SafeString:
    if report.evidence_totals:
        return _join([
            f'<tr><td>{esc[t.unit]}</td><td class="num">{t.files}</td><td class="num">{esc[t.size]}</td>'
            f"<td>{_date(t.first, esc)}</td><td>{_date(t.last, esc)}</td>{ROW_END}"
            for t in report.evidence_totals
        ])
    return _join([
        f'<tr><td>{esc[e.unit]}</td><td class="c">{esc[e.task]}</td><td>{escape(e.name)}</td>'
        f'<td class="num">{esc[e.size]}</td><td>{escape(e.sha256)}</td><td>{_date(e.submitted_on, esc)}</td>{ROW_END}'
        for e in report.evidence
    ])


def report_rows(report: Report) -> dict[str, SafeString | list]:
    """The long table bodies of the report, as HTML."""
    esc = _Escaped()
    return {
        "matrix": matrix_rows(report.units, esc) if report.shows_matrix and not report.groups else "",
        "group_matrix": group_matrix_rows(report, esc),
        "group_grids": [(g, matrix_rows(g.units, esc)) for g in report.groups],
        "units": unit_rows(report, esc),
        "overdue": overdue_rows(report, esc),
        "details": detail_rows(report, esc) if report.shows_details else "",
        "letters": letter_rows(report, esc),
        "ranking": ranking_rows(report, esc),
        "evidence": evidence_rows(report, esc),
    }


def report_html(report: Report, *, rows: dict[str, SafeString] | None = None, show: tuple[str, ...] = SECTIONS,
                continued: tuple[str, ...] = (), parted: bool = False) -> str:
    """The report as HTML: the whole of it, or a part (reports.parts) — the sections in ``show``, the long tables
    in ``continued`` without their heading (a later slice of their rows), no page numbers when ``parted``."""
    return render_html(TEMPLATE, {"r": report, "rows": report_rows(report) if rows is None else rows,
                                  "cover_title": unbroken(report.plan.title, YEAR_SPAN), "show": show,
                                  "continued": continued, "parted": parted})


def report_pdf(report: Report) -> bytes:
    return html_to_pdf(report_html(report))
