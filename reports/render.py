"""Reports to files: the PDF through tracker.pdf, the workbook through reports.xlsx."""

from reports.inspection import Report
from tracker.pdf import html_to_pdf, render_html

TEMPLATE = "pdf/report.html"


def report_html(report: Report) -> str:
    return render_html(TEMPLATE, {"r": report})


def report_pdf(report: Report) -> bytes:
    return html_to_pdf(report_html(report))
