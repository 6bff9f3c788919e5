"""Every letter PDF: A4, CJK fonts embedded, GB/T 9704 margins, lines of at most 28 characters."""

import datetime
import io
import unicodedata

import pdfplumber
import pytest
from django.db import transaction
from pypdf import PdfReader

from notifications import letters
from notifications.models import LadderState, Letter, Step
from tasks.models import Assignment

MM = 72 / 25.4
D = datetime.date


def make_letter(plan, finance, measure, led=None, street=None) -> Letter:
    """Two overdue items of the finance bureau, reminded and urged by the ladder as it ran on time (the second one,
    led by the bureau on `led`, urged only), and a letter on 2024-07-20."""
    sent = {
        Assignment.objects.create(measure=measure, unit=finance, due_on=D(2024, 6, 30)): [
            ("remind", 1, D(2024, 6, 23)), ("remind", 2, D(2024, 6, 29)), ("urge", 1, D(2024, 7, 1)),
            ("urge", 2, D(2024, 7, 8)), ("urge", 3, D(2024, 7, 15))],
        Assignment.objects.create(measure=led or measure, unit=finance, period="2024年第二季度", due_on=D(2024, 7, 5)): [
            ("urge", 1, D(2024, 7, 8)), ("urge", 2, D(2024, 7, 15))],
    }
    if street is not None:
        Assignment.objects.create(measure=led, unit=street, period="2024年第二季度", due_on=D(2024, 7, 5))
    for a, steps in sent.items():
        LadderState.objects.create(assignment=a, cycle=1, due_on=a.due_on)
        for kind, seq, day in steps:
            Step.objects.create(assignment=a, kind=kind, seq=seq, cycle=1, due_on=a.due_on, scheduled_on=day,
                                sent_on=day)
    [letter] = letters.issue_letters(plan, [finance.pk], D(2024, 7, 20))
    letters.finish_letter(letter)
    letter.refresh_from_db()
    return letter


@pytest.fixture(scope="module")
def pdf_bytes(django_db_setup, django_db_blocker):
    """One letter rendered once for the module (typesetting CJK takes seconds); its rows rolled back."""
    from plans.models import Measure, Plan, Task, Unit

    with django_db_blocker.unblock(), transaction.atomic():
        justice = Unit.objects.create(name="区司法局")
        finance = Unit.objects.create(name="区财政局")
        plan = Plan.objects.create(title="测试区提升行政执法质量三年行动实施方案", ends_on=D(2025, 12, 31),
                                   lead_unit=justice, letter_prefix="测司法函")
        task = Task.objects.create(plan=plan, number=1, title="着力提高业务能力", order=1)
        measure = Measure.objects.create(task=task, text="2024年6月底前完成全员轮训。", due_on=D(2024, 6, 30))
        led = Measure.objects.create(task=task, order=2, text="区财政局牵头建立培训经费保障机制。", due_on=D(2024, 7, 5))
        led.lead_units.add(finance)
        street = Unit.objects.create(name="光复道街道办事处")
        data = make_letter(plan, finance, measure, led, street).pdf.read()
        transaction.set_rollback(True)
    return data


@pytest.fixture
def letter(cast, monkeypatch):
    """A letter whose PDF is not typeset (the tests above check the real one)."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Assignment.objects.filter(measure=cast.measure).delete()
    return make_letter(cast.plan, cast.finance, cast.measure)


def width_in_chars(text: str) -> float:
    """Full-width characters count 1, half-width (digits, Latin) ½."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def test_letter_pdf_is_a4_and_lists_the_unit_items_and_number(pdf_bytes):
    data = pdf_bytes
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "测司法函〔2024〕1号" in text
    assert "区财政局：" in text
    assert "2024年6月底前完成全员轮训" in text
    assert "2024年第二季度" in text
    assert "完成时限：2024年6月30日；已逾期15个工作日（20天）" in text
    # each item names the steps sent, with their dates; the opening claims only what every item had
    assert "已于2024年6月23日、6月29日提醒，7月1日、7月8日、7月15日催办。" in text
    assert "（2024年第二季度）完成时限：2024年7月5日；已逾期10个工作日（15天）。已于2024年7月8日、7月15日催办。" in text
    assert "你单位承担的以下2项任务已超过完成时限，经催办仍未完成。" in text and "经提醒、催办" not in text
    assert "抄送：光复道街道办事处。" in text  # the supporting unit of the measure the bureau leads
    assert "5个工作日内（2024年7月26日前）" in text
    assert "2024年7月20日" in text and "区司法局" in text


def test_letter_pdf_embeds_its_cjk_fonts(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and ("/FontFile2" in descriptor.get_object() or "/FontFile3" in descriptor.get_object()):
                    embedded.add(str(descendant.get_object()["/BaseFont"]).replace("-", ""))
    assert any("NotoSerifCJK" in name for name in embedded)  # 仿宋-like body and 小标宋-like title
    assert any("NotoSansCJK" in name for name in embedded)  # 黑体 headings
    assert any("UKai" in name for name in embedded)  # 楷体 headings


def test_letter_text_block_sits_in_the_gbt9704_frame(pdf_bytes):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(use_text_flow=True, keep_blank_chars=True)
        body = [w for w in words if w["top"] < 262 * MM]  # the 版心, page number excluded
        assert abs(min(w["x0"] for w in body) / MM - 28) <= 1
        assert abs(min(w["top"] for w in body) / MM - 37) <= 1
        assert max(w["x1"] for w in body) / MM <= 184 + 1
        lines: dict[int, str] = {}
        for page in pdf.pages:
            for w in page.extract_words(use_text_flow=True, keep_blank_chars=True):
                if w["top"] < 262 * MM:
                    key = (page.page_number, round(w["top"]))
                    lines[key] = lines.get(key, "") + w["text"]
    full_lines = [text for text in lines.values() if width_in_chars(text) > 20]
    assert full_lines, "the letter has full body lines"
    assert max(width_in_chars(text) for text in lines.values()) <= 28
    assert max(len([ch for ch in text if unicodedata.east_asian_width(ch) in "WF"]) for text in lines.values()) <= 28


def test_withdrawn_letter_keeps_its_number_and_cannot_be_deleted(letter, cast):
    letters.withdraw(letter, cast.lead, "事项已于发函前完成")
    letter.refresh_from_db()
    assert letter.is_withdrawn and letter.number == "测司法函〔2024〕1号"
    with pytest.raises(Exception, match="不能删除"):
        letter.delete()
    # the items may be written up again: the next sweep issues a new letter with the next number
    [again] = letters.issue_letters(cast.plan, [cast.finance.pk], D(2024, 7, 22))
    assert again.number == "测司法函〔2024〕2号" and again.seq == 2
    assert Letter.objects.count() == 2


def test_preview_is_unnumbered(cast):
    data = letters.preview_pdf(cast.plan, cast.finance, D(2024, 7, 20))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "预览稿" in text and "〔2024〕1号" not in text
    assert not Letter.objects.exists()
