"""Every PDF the project prints is rendered here: Django template → HTML → WeasyPrint → bytes.

Fonts are the open CJK faces installed by scripts/install-system-deps and named in
templates/pdf/fonts.css; WeasyPrint embeds (subsets) them into the PDF.
"""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


def render_html(template_name: str, context: dict) -> str:
    return render_to_string(template_name, context)


def html_to_pdf(html: str) -> bytes:
    font_config = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config)


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))
