"""Every letter PDF: A4, CJK fonts embedded, GB/T 9704 信函格式 geometry, lines of at most 28 characters, the
signature never alone on a page, 附注 and 版记, and a long letter's items in its 附件."""

import datetime
import io
import re
import unicodedata

import docx
import pdfplumber
import pytest
from django.db import transaction
from pypdf import PdfReader

from notifications import letters
from notifications.models import LadderConfig, LadderState, Letter, Step
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


def demo_plan():
    from plans.models import Plan, Unit

    justice = Unit.objects.create(name="区司法局")
    finance = Unit.objects.create(name="区财政局")
    plan = Plan.objects.create(title="测试区提升行政执法质量三年行动实施方案(2024-2026年)", ends_on=D(2025, 12, 31),
                               lead_unit=justice, letter_prefix="测司法函")
    LadderConfig.objects.create(plan=plan, masthead="天津市测试区司法局", contact="王晓明",
                                contact_phone="022-26281234", copy_to="区委依法治区办、区政府办公室")
    return plan, finance


@pytest.fixture(scope="module")
def pdf_bytes(django_db_setup, django_db_blocker):
    """One letter rendered once for the module (typesetting CJK takes seconds); its rows rolled back."""
    from plans.models import Measure, Task, Unit

    with django_db_blocker.unblock(), transaction.atomic():
        plan, finance = demo_plan()
        task = Task.objects.create(plan=plan, number=1, title="着力提高业务能力(培训)", order=1)
        measure = Measure.objects.create(task=task, text="1.2024年6月底前完成全员轮训(含街道)。", due_on=D(2024, 6, 30))
        led = Measure.objects.create(task=task, order=2, text="区财政局牵头建立培训经费保障机制。", due_on=D(2024, 7, 5))
        led.lead_units.add(finance)
        street = Unit.objects.create(name="光复道街道办事处")
        data = make_letter(plan, finance, measure, led, street).pdf.read()
        transaction.set_rollback(True)
    return data


@pytest.fixture(scope="module")
def long_letter(django_db_setup, django_db_blocker):
    """A letter of 9 items over three tasks (numbered 2, 5 and one 工作要求), so it attaches its table: its PDF and
    its .docx."""
    from plans.models import Measure, Task

    with django_db_blocker.unblock(), transaction.atomic():
        plan, finance = demo_plan()
        tasks = [Task.objects.create(plan=plan, number=2, title="深化行政执法体制改革", order=1),
                 Task.objects.create(plan=plan, number=5, title="规范行政执法行为", order=2),
                 Task.objects.create(plan=plan, title="加强组织领导", order=3, is_requirement=True)]
        for n in range(9):
            measure = Measure.objects.create(task=tasks[n % 3], order=n, due_on=D(2024, 6, 30),
                                             text=f"第{n + 1}项措施：按照《关于贯彻《行政处罚法》的实施意见》规定,完善相关制度并组织落实。")
            a = Assignment.objects.create(measure=measure, unit=finance, due_on=D(2024, 6, 30))
            LadderState.objects.create(assignment=a, cycle=1, due_on=a.due_on)
            Step.objects.create(assignment=a, kind="urge", seq=1, cycle=1, due_on=a.due_on, scheduled_on=D(2024, 7, 1),
                                sent_on=D(2024, 7, 1))
        [letter] = letters.issue_letters(plan, [finance.pk], D(2024, 7, 20))
        letters.finish_letter(letter)
        letter.refresh_from_db()
        data = letter.pdf.read(), letters.letter_docx(letter)
        transaction.set_rollback(True)
    return data


@pytest.fixture(scope="module")
def long_pdf(long_letter):
    return long_letter[0]


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
    assert "1．2024年6月底前完成全员轮训（含街道）" in text  # the plan's text, punctuation normalised
    assert "任务1　着力提高业务能力（培训）" in text  # under the plan's own task number
    assert "《测试区提升行政执法质量三年行动实施方案（2024-2026年）》" in text
    assert "2024年第二季度" in text
    assert "完成时限：2024年6月30日；已逾期15个工作日（20天）" in text
    # each item names the steps sent, with their dates; the opening claims only what every item had
    assert "已于2024年6月23日、6月29日提醒，7月1日、7月8日、7月15日催办。" in text
    assert "（2024年第二季度）完成时限：2024年7月5日；已逾期10个工作日（15天）。已于2024年7月8日、7月15日催办。" in text
    assert "你单位承担的1项任务2项细化措施已超过完成时限，经催办仍未完成。" in text and "经提醒、催办" not in text
    # 抄送: the plan's organs, then the supporting unit of the measure the bureau leads
    assert "抄送：区委依法治区办、区政府办公室、光复道街道办事处。" in text
    assert "5个工作日内（2024年7月26日前）" in text
    assert "（联系人：王晓明；联系电话：022-26281234）" in text
    assert "天津市测试区司法局2024年7月20日印发" in text.replace(" ", "")
    assert "附件" not in text  # two items are listed in the body


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
    assert any("WenKai" in name for name in embedded)  # 楷体 headings


def test_letter_text_block_sits_in_the_gbt9704_frame(pdf_bytes):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(use_text_flow=True, keep_blank_chars=True)
        body = [w for w in words if w["top"] < 262 * MM]  # the 版心, page number excluded
        assert abs(min(w["x0"] for w in body) / MM - 28) <= 1
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


def is_red(char) -> bool:
    color = char["non_stroking_color"] or ()
    return len(color) == 3 and color[0] > 0.5 and color[1] < 0.3


def body_lines(page) -> list[tuple[float, float, float, str]]:
    """(top, x0, x1, text) of each line in the 版心 (the page number below it left out), top down, in mm."""
    lines: dict[int, list] = {}
    for w in page.extract_words(keep_blank_chars=True):
        if w["top"] < 262 * MM:
            lines.setdefault(round(w["top"]), []).append(w)
    return [(ws[0]["top"] / MM, min(w["x0"] for w in ws) / MM, max(w["x1"] for w in ws) / MM,
             "".join(w["text"] for w in ws)) for _top, ws in sorted(lines.items())]


@pytest.mark.parametrize("which", ["pdf_bytes", "long_pdf"])
def test_letter_format_masthead_rules_and_first_page(which, request):
    """信函格式 (GB/T 9704 10.1): the masthead's top 30 mm from the top of the page, red double lines 170 mm long
    and centred under it and 20 mm above the bottom of the page, no page number on page 1."""
    with pdfplumber.open(io.BytesIO(request.getfixturevalue(which))) as pdf:
        page = pdf.pages[0]
        red = [c for c in page.chars if is_red(c)]
        assert "".join(c["text"] for c in red) == "天津市测试区司法局"
        assert abs(min(c["top"] for c in red) / MM - 30) <= 1
        rules = [r for r in page.rects if is_red(r)]
        # centred on the 版心 (28 to 184 mm): 7 mm beyond it on each side
        assert rules and all(abs((r["x1"] - r["x0"]) / MM - 170) <= 1 and abs(r["x0"] / MM - 21) <= 1
                             for r in rules)
        top_rule = min(r["top"] for r in rules) / MM
        assert abs(top_rule - max(c["bottom"] for c in red) / MM - 4) <= 1
        assert abs(max(r["bottom"] for r in rules) / MM - (297 - 20)) <= 1
        assert not [w for w in page.extract_words() if w["top"] > 262 * MM]  # no page number
        if len(pdf.pages) > 1:
            assert any("— 2 —" in w["text"] for w in pdf.pages[1].extract_words(keep_blank_chars=True))


@pytest.mark.parametrize("which", ["pdf_bytes", "long_pdf"])
def test_no_page_holds_only_the_signature_nor_ends_with_a_heading(which, request):
    with pdfplumber.open(io.BytesIO(request.getfixturevalue(which))) as pdf:
        pages = [body_lines(page) for page in pdf.pages]
    [(number, lines, signer)] = [(n, lines, i) for n, lines in enumerate(pages) for i in range(len(lines) - 1)
                                 if (lines[i][3], lines[i + 1][3]) == ("天津市测试区司法局", "2024年7月20日")]
    assert signer >= 2, f"page {number + 1} holds the signature with fewer than two lines of text above it"
    top, x0, x1, _text = lines[signer]
    date = lines[signer + 1]
    assert date[3] == "2024年7月20日"
    # unsealed (7.3.5.2): 署名 right-indented 二字, the date starting two characters right of it
    char = 156 / 28
    assert abs(x1 - (184 - 2 * char)) <= 1
    assert abs(date[1] - x0 - 2 * char) <= 1
    for lines in pages:
        text_lines = [text for *_, text in lines if not text.startswith(("抄送", "天津市测试区司法局2024"))]
        assert not re.match(r"^[一二三四五六七八九十]+、", text_lines[-1]), f"a heading at the foot: {text_lines[-1]}"


def test_long_letter_summarises_and_attaches_the_items_by_the_plans_numbers(long_pdf):
    with pdfplumber.open(io.BytesIO(long_pdf)) as pdf:
        texts = [page.extract_text().replace(" ", "") for page in pdf.pages]
        attachment = next(n for n, text in enumerate(texts) if text.startswith("附件\n逾期事项清单"))
        rows = [[(cell or "").replace("\n", "") for cell in row]
                for page in pdf.pages[attachment:] for table in page.extract_tables() for row in table]
    body = "".join(texts[:attachment]).replace("\n", "")
    assert "你单位承担的3项任务9项细化措施已超过完成时限，经催办仍未完成。" in body
    assert "逾期事项涉及方案任务2、任务5、工作要求（一），共9项。" in body
    assert "附件：逾期事项清单" in body
    assert "第1项措施" not in body  # the items are in the attachment, not in the body
    header, *items = rows
    assert header[:2] == ["序号", "任务"]
    items = [row for row in items if row != header]  # the header repeats on each page of the table
    assert [row[1] for row in items] == ["2", "2", "2", "5", "5", "5", "工作要求（一）", "工作要求（一）", "工作要求（一）"]
    first = items[0]
    assert first[0] == "1" and "第1项措施" in first[2] and "《关于贯彻〈行政处罚法〉的实施意见》规定，" in first[2]
    assert first[3] == "2024年6月30日" and first[4] == "15"
    assert first[5] == "2024年7月1日催办"
    assert "抄送：区委依法治区办、区政府办公室。" in texts[-1].replace("\n", "")


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


def test_the_docx_says_what_the_pdf_says(long_letter):
    """The .docx offices finish in WPS/Word: the same blocks and table as the PDF, from the same HTML."""
    pdf_bytes, docx_bytes = long_letter
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pdf_text = "".join(page.extract_text() for page in pdf.pages)
        pdf_rows = [[(cell or "").replace("\n", "") for cell in row]
                    for page in pdf.pages for table in page.extract_tables() for row in table]
    squeeze = lambda text: re.sub(r"\s", "", text)  # noqa: E731
    document = docx.Document(io.BytesIO(docx_bytes))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    assert paragraphs[:2] == ["测司法函〔2024〕1号", "关于督促区财政局限期整改逾期任务的函"]
    # 信函格式 page 1: the masthead in page 1's own header, 30 mm from the top of the page, over its red rule
    section = document.sections[0]
    assert section.different_first_page_header_footer and round(section.header_distance.mm) == 30
    assert [p.text for p in section.first_page_header.paragraphs] == ["天津市测试区司法局"]
    for text in paragraphs + ["天津市测试区司法局"]:
        assert squeeze(text) in squeeze(pdf_text), text
    for expected in ("附件：逾期事项清单", "（联系人：王晓明；联系电话：022-26281234）", "抄送：区委依法治区办、区政府办公室。",
                     "天津市测试区司法局\t2024年7月20日印发"):
        assert expected in paragraphs
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [row for n, row in enumerate(pdf_rows) if n == 0 or row != pdf_rows[0]]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def test_the_letters_note_counts_tasks_and_measures_as_the_letter_does(letter):
    """Two items of one measure (two periods) are one task and one measure, in the inbox note as in the letter."""
    from notifications.models import Message

    assert letter.items.count() == 2
    note = Message.objects.get(letter=letter, kind=Message.Kind.LETTER)
    assert "列明你单位逾期的1项任务1项细化措施。" in note.body


def test_a_letter_keeps_its_own_title_when_the_unit_is_renamed_later(letter):
    letter.unit.name = "天津市河北区财政局（改名后的名称）"
    letter.unit.save()
    context = letters.context_for(letter)
    assert context["title"] == letter.title
    assert "".join(context["title_lines"]) == letter.title
