"""What issue 5 must show: after seed_demo, the inspection report as of 2025-06-30."""

import io
import re

from django.core.management import call_command
from pypdf import PdfReader

from plans.models import Task, Unit
from tests.standard_catalogue import ensure_standard_catalogue


def test_demo_inspection_report(db, tmp_path):
    ensure_standard_catalogue()  # a transactional test earlier on this worker may have flushed it
    call_command("seed_demo", stdout=io.StringIO())
    pdf = tmp_path / "report.pdf"
    call_command("render_report", "inspection", "--as-of", "2025-06-30", "-o", str(pdf), stdout=io.StringIO())

    reader = PdfReader(pdf)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes <= {(595, 842), (842, 595)}
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.add(str(descriptor["/FontName"]))
    assert any("CJK-SC" in name for name in fonts)
    raw = "\n".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", "", raw)
    assert "— 2 —" in raw and "截至2025年6月30日" in text  # the cover is unnumbered
    titles = list(Task.objects.filter(number__isnull=False).values_list("title", flat=True))
    assert len(titles) == 17 and all(title in text for title in titles)
    names = list(Unit.objects.values_list("name", flat=True))
    assert len(names) > 30 and all(name in text for name in names)
