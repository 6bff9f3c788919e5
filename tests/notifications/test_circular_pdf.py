"""A 通报's PDF: the overall figures, each named unit's overdue items by the plan's numbers, the attached table,
headings kept with their text, the signature with the last lines, 附注 and 版记."""

import datetime
import io

import docx
import pdfplumber

from notifications import circulars
from notifications.models import LadderConfig
from plans.models import Measure, Task
from tasks.models import Assignment, ReportingRound

D = datetime.date


def test_circular_gives_figures_names_items_by_plan_numbers_and_attaches_them(cast):
    LadderConfig.objects.create(plan=cast.plan, masthead="天津市测试区司法局", contact="王晓明",
                                contact_phone="022-26281234", copy_to="区委依法治区办")
    requirement = Task.objects.create(plan=cast.plan, title="加强组织领导", order=2, is_requirement=True)
    led = Measure.objects.create(task=requirement, order=1, text="建立工作台账,按季度(每季度末)报送进展。",
                                 due_on=D(2024, 6, 28))
    Assignment.objects.create(measure=led, unit=cast.finance, due_on=led.due_on)
    Assignment.objects.create(measure=cast.measure, unit=cast.justice, due_on=D(2024, 12, 31))  # not due yet
    done = Assignment.objects.create(measure=led, unit=cast.justice, due_on=led.due_on)
    Assignment.objects.filter(pk=done.pk).update(status="done")
    rnd = ReportingRound.objects.create(plan=cast.plan, title="7月调度", due_on=D(2024, 7, 25), created_by=cast.lead)
    rnd.units.add(cast.finance)

    content = circulars.circular_content(cast.plan, D(2024, 8, 1), rnd)
    assert content["figures"] == {"total": 4, "done": 1, "percent": 25, "overdue": 3, "overdue_units": 2,
                                  "overdue_scope": "2项任务2项细化措施"}
    finance = next(row for row in content["long_overdue"] if row["unit"] == "区财政局")
    assert finance["scope"] == "2项任务2项细化措施" and finance["tasks"] == ["任务1", "工作要求（一）"]
    assert [item["label"] for item in finance["items"]] == ["1", "工作要求（一）"]

    with pdfplumber.open(io.BytesIO(circulars.preview_pdf(cast.plan, D(2024, 8, 1), rnd))) as pdf:
        texts = [page.extract_text().replace(" ", "") for page in pdf.pages]
        attachment = next(n for n, text in enumerate(texts) if text.startswith("附件\n逾期事项清单"))
        rows = [[(cell or "").replace("\n", "") for cell in row]
                for page in pdf.pages[attachment:] for table in page.extract_tables() for row in table]
        endings = [[line for line in text.split("\n") if not line.startswith("—")][-1] for text in texts]
    body = "".join(texts[:attachment]).replace("\n", "")
    assert "关于7月调度报送和任务推进情况的通报" in body
    assert "7月调度要求1个单位于2024年7月25日前报送工作进展，按时报送0个；未报送1个：区财政局。" in body
    assert "方案已到完成时限的任务分解共4项，已完成1项，占比25%；逾期未完成3项，涉及2项任务2项细化措施、2个单位。" in body
    assert "（2）区财政局：逾期2项任务2项细化措施（任务1、工作要求（一）），最长逾期24个工作日。" in body
    assert "附件：逾期事项清单" in body and "（联系人：王晓明；联系电话：022-26281234）" in body
    assert rows[0] == ["序号", "责任单位", "任务", "细化措施", "完成时限", "逾期工作日"]
    assert ["3", "区财政局", "工作要求（一）", "建立工作台账，按季度（每季度末）报送进展。", "2024年6月28日", "24"] in rows
    assert "抄送：区委依法治区办。" in texts[-1].replace("\n", "") and "2024年8月1日印发" in texts[-1]
    assert not [line for line in endings if line[:2] in ("一、", "二、", "三、", "四、", "五、")]

    # the .docx for WPS/Word says the same, read from the same HTML
    circular = circulars.issue_circular(cast.plan, D(2024, 8, 1), rnd=rnd, user=cast.lead)
    document = docx.Document(io.BytesIO(circulars.circular_docx(circular)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "（2）区财政局：逾期2项任务2项细化措施（任务1、工作要求（一）），最长逾期24个工作日。" in paragraphs
    assert "附件" in paragraphs and "抄送：区委依法治区办。" in paragraphs
    [table] = document.tables
    assert [cell.text for cell in table.rows[3].cells] == rows[3]
