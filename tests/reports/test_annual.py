"""The annual 行政执法工作报告's content (reports.annual): every sentence and number recounted from the hand-made
case in tests/reports/annual_case.py — the district totals and their changes, 二 by the plan's sections with the
Assignment rules' counts, 三 and 四 from the data, the lead office's texts replacing the drafts, annual_error."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.figures import Total, totals
from indicators.models import FigureReport, FigureRound, Indicator, Period
from plans.models import Plan, Unit
from reports.annual import SECTIONS, annual_error, build_annual
from reports.annual_text import Findings, problems_and_steps, quoted, versus
from reports.inspection import Tally
from tasks.models import Assignment
from tests.reports.annual_case import NOW, build_case
from tests.reports.conftest import at


@pytest.fixture
def case(cast):
    c = build_case(cast)
    with at(*NOW):
        yield c


@pytest.fixture
def report(case):
    return build_annual(2025, plan=case.plan)


def test_title_addressee_issuer_and_date(report):
    assert report.title == "测试区2025年度行政执法工作报告"
    assert (report.addressee, report.issuer, report.dated) == ("区人民政府", "区司法局", datetime.date(2026, 1, 26))
    assert report.opening.startswith("2025年，测试区") and report.opening.endswith("现将有关情况报告如下：")
    assert "《测试区提升行政执法质量三年行动实施方案》" in report.opening
    assert [key for key, _ in SECTIONS] == list(report.sections) == list(report.drafted)


def test_basics_are_the_district_totals_with_their_changes(report):
    bodies, actions, note = report.sections["basics"].split("\n")
    # 执法人员 70 → 72 (a count of people, as a number); 持证 50 → 67; 持证率 Σ持证÷Σ人员: 50/70 → 67/72
    assert bodies == ("全区共有行政执法主体2个，与上年持平；行政执法人员72人，与上年相比增加2人；其中持证67人，较上年增加34.0%；"
                      "持证率93.06%，较上年增加21.63个百分点。")
    # 行政检查 1500 → 950; 处罚 120 → 122 with its parts; 罚没 39.70 → 40.95 (two decimals); 行政调解, added by the lead
    # office, in the generic words; 行政许可 asked but reported by nobody: no sentence
    assert actions == ("全年开展行政检查950次，较上年减少36.7%；实施行政处罚122件（其中简易程序102件、普通程序20件），"
                       "较上年增加1.7%；罚没金额40.95万元，较上年增加3.1%；行政调解15件，与上年持平。")
    assert "行政许可" not in report.sections["basics"] + report.sections["practices"]
    assert note == "以上数据为2025年数据报送中审核通过的数据，区司法局的数据尚未审核通过，未计入。"


def test_sentences_use_the_totals_not_a_sum_of_their_own(report, case):
    by_code = {t.indicator.code: t for t in totals(case.round)}
    assert [t.indicator.code for t in report.totals] == list(by_code)
    assert f"行政执法人员{by_code['officers'].value:.0f}人" in report.sections["basics"]
    assert f"持证率{by_code['certified_rate'].value}%" in report.sections["basics"]
    assert report.figures()["values"]["certified_rate"] == "93.06" and report.figures()["values"]["fines"] == "40.95"


def test_a_first_year_has_no_change_and_a_lone_value_no_clause(case):
    FigureRound.objects.filter(year=2024).delete()
    text = build_annual(2025, plan=case.plan).sections["basics"]
    assert text.startswith("全区共有行政执法主体2个，行政执法人员72人，其中持证67人，持证率93.06%。")
    assert "较上年" not in text and "与上年" not in text


def test_practices_by_the_plans_sections_with_the_assignment_rules(report, case):
    due = Assignment.objects.filter(due_on__year=2025, measure__task__plan=case.plan)
    on_time, done = due.done_on_time().count(), due.filter(Assignment.done_q()).count()
    overdue = due.overdue(datetime.date(2026, 1, 1)).count()
    assert (due.count(), on_time, done - on_time, overdue) == (4, 2, 1, 1)
    lines = report.sections["practices"].split("\n")
    assert lines[0] == ("2025年，实施方案到期的任务分解事项4项，按时完成2项，逾期完成1项，逾期未完成1项，按时完成率50%；"
                        "设有目标数的2项中，达到目标1项；全年审核通过各单位进展报告3份。")
    assert lines[1:] == [
        "（一）提升能力",
        "本年度到期事项2项，按时完成1项，逾期完成1项，按时完成率50%。全年审核通过进展报告2份。"
        "一是着力提高业务能力，区财政局报告：“组织全局执法人员完成年度轮训，考试合格率100%。”",
        "（二）规范执法行为",
        "本年度到期事项2项，按时完成1项，逾期未完成1项，按时完成率50%；设有目标数的2项中，达到目标1项。"
        "全年审核通过进展报告1份。一是严格落实执法标准，区财政局报告：“开展食品安全执法检查2次，发现问题12个，均已整改。”",
        "（三）加强执法队伍建设和教育培训",
        "全年组织行政执法培训8场次。",
    ]


def test_problems_and_next_steps_from_the_data(report):
    assert report.sections["problems"].split("\n") == [
        "（一）部分任务推进不够及时。2025年到期的任务分解事项中，截至年底仍有1项逾期未完成，逾期事项较多的单位有光复道街道办事处（1项）。",
        "（二）部分目标尚未达到。设有目标数的2项事项中，1项未达到目标或未报送完成数。",
        "（三）督办回复不够及时。全年发出函告1件，光复道街道办事处逾期未提交整改回复。",
        "（四）部分执法数据降幅较大。行政检查950次，较上年减少36.7%，需分析原因。",
        "（五）数据报送质量有待提高。2025年数据报送中，光复道街道办事处逾期报送，区司法局的数据尚未审核通过。",
    ]
    steps = report.sections["next_steps"].split("\n")
    assert len(steps) == 6 and steps[0].startswith("（一）狠抓任务落实。对光复道街道办事处等单位的逾期事项")
    assert all(re.match(r"^（[一二三四五六]）[^。，：]{4,12}。", line) for line in steps)  # each under a heading
    assert all(re.match(r"^（[一二三四五六]）[^。，：]{4,12}。", line) for line in report.sections["problems"].split("\n"))
    assert steps[-1] == "（六）持续抓好方案落实。2026年，持续跟踪方案各项任务推进情况，坚持定期调度和工作通报，确保按期完成。"


def test_texts_replace_their_sections_and_the_drafts_are_kept(case):
    drafted = build_annual(2025, plan=case.plan)
    report = build_annual(2025, plan=case.plan, texts={"problems": "（一）执法力量不足\n一是人员老化。", "basics": "  "},
                          addressee="市司法局")
    assert report.sections["problems"] == "（一）执法力量不足\n一是人员老化。"
    assert report.drafted == drafted.drafted and report.sections["basics"] == drafted.sections["basics"]
    assert report.addressee == "市司法局"
    # a （一） line without a sentence is a 楷体 heading; the rest are paragraphs
    assert ("h1", "三、存在的问题") in report.blocks
    assert [b for b in report.blocks if b[1] in ("（一）执法力量不足", "一是人员老化。")] == [
        ("h2", "（一）执法力量不足"), ("para", "一是人员老化。")]


def test_the_same_report_twice_is_the_same(case):
    first, second = build_annual(2025, plan=case.plan), build_annual(2025, plan=case.plan)
    assert first.sections == second.sections and first.figures() == second.figures()


def test_annual_error_without_a_round_or_approved_figures(case):
    assert annual_error(2025, case.plan) == ""
    assert annual_error(2023, case.plan) == "2023年尚未发起年度数据报送，无法生成年度行政执法工作报告。"
    rnd = FigureRound(period_kind=Period.YEAR, year=2026, due_on=datetime.date(2027, 1, 20), created_by=case.lead)
    rnd.open([case.justice, case.finance, case.street], [])
    assert annual_error(2026, case.plan) == ("2026年数据报送尚无已审核通过的数据：光复道街道办事处、区司法局、区财政局3个单位"
                                             "未报送或未通过审核。")


def test_annual_error_names_a_few_units_of_many(cast):
    units = [Unit.objects.create(name=f"第{i:02d}单位", order=i) for i in range(12)]
    rnd = FigureRound(period_kind=Period.YEAR, year=2025, due_on=datetime.date(2026, 1, 20), created_by=cast.lead)
    rnd.open(units, [])
    assert annual_error(2025) == ("2025年数据报送尚无已审核通过的数据：第00单位、第01单位、第02单位、第03单位、第04单位"
                                  "等12个单位未报送或未通过审核。")


def test_annual_error_without_a_plan(db):
    assert not Plan.objects.exists()
    assert annual_error(2025) == "尚未导入任何实施方案，无法生成年度行政执法工作报告。"


def test_a_unit_left_out_this_year_is_not_a_fall_and_the_basis_is_said(case):
    # 光复道街道 was approved in 2024 but not in 2025: the changes compare 区财政局 alone in both years
    case.round.reports.filter(unit=case.street).update(state=FigureReport.State.PENDING)
    report = build_annual(2025, plan=case.plan)
    bodies = report.sections["basics"].split("\n")[0]
    assert bodies.startswith("全区共有行政执法主体1个，与上年持平；行政执法人员42人，与上年相比增加2人；")
    assert report.sections["basics"].endswith("未计入；与上年相比的增减按两年数据均审核通过的1个单位同口径计算。")
    assert "降幅较大" not in report.sections["problems"]  # 行政检查 1500 → 650 is the street office's absence
    officers = next(t for t in report.totals if t.indicator.code == "officers")
    assert (officers.value, officers.before, officers.change) == (42, 70, "增加5.0%")
    assert "同口径" not in build_annual(2024, plan=case.plan).sections["basics"]


def test_a_unit_sent_back_and_sending_again_after_the_due_date_is_not_late(case):
    # 区司法局 sent its figures on the 15th (before the 20th); sent back on the 22nd, it sends them again on the 24th
    report = case.round.reports.get(unit__name="区司法局")
    with at(2026, 1, 22, 9):
        report.decide(case.lead, False, "请核实", timezone.now())
    values = {v.indicator_id: (v.value, v.note) for v in report.values.all()}
    with at(2026, 1, 24, 9):
        report.submit(values, case.lead, timezone.now())
    with at(*NOW):
        problems = build_annual(2025, plan=case.plan).sections["problems"]
    assert "2025年数据报送中，光复道街道办事处逾期报送，区司法局的数据尚未审核通过。" in problems


def test_a_change_too_small_to_show_reads_as_about_the_same():
    inspections = Indicator(code="inspections", kind=Indicator.Kind.COUNT, measure_unit="次")
    officers = Indicator(code="officers", kind=Indicator.Kind.COUNT, measure_unit="人")
    assert versus(Total(inspections, Decimal(32338), Decimal(32345))) == "，与上年基本持平"
    assert versus(Total(officers, Decimal(10000), Decimal(10001))) == "，与上年相比减少1人"


def test_a_shortened_quote_ends_outside_its_marks():
    assert quoted("均已整改") == "“均已整改。”"
    assert quoted("组织全局执法人员……") == "“组织全局执法人员……”。"


def test_a_year_with_nothing_due_still_says_something_under_each_heading(case):
    # 2024: the plan's items are due in 2025, and the 2024 round asks no training or supervision figures
    report = build_annual(2024, plan=case.plan)
    assert report.sections["practices"].startswith("2024年，实施方案无到期的任务分解事项")
    assert all(report.sections[key].strip() for key, _ in SECTIONS)
    headings = [i for i, (cls, _) in enumerate(report.blocks) if cls == "h1"]
    assert all(report.blocks[i + 1][0] != "h1" for i in headings[:-1]) and headings[-1] + 1 < len(report.blocks)


def test_a_year_without_problems_still_names_one_under_a_heading():
    problems, steps = problems_and_steps(Findings(2025, Tally(), [], 0, [], [], [], []))
    assert problems.startswith("（一）执法监督长效机制仍需健全。2025年到期事项均已完成")
    assert steps == "（一）持续抓好方案落实。2026年，持续跟踪方案各项任务推进情况，坚持定期调度和工作通报，确保按期完成。"


def test_two_years_with_no_unit_approved_in_both_are_not_compared(case):
    case.before.reports.update(state=FigureReport.State.PENDING)
    FigureReport.objects.filter(round=case.before, unit=case.finance).update(state=FigureReport.State.APPROVED)
    case.round.reports.filter(unit=case.finance).update(state=FigureReport.State.PENDING)
    basics = build_annual(2025, plan=case.plan).sections["basics"]
    assert "较上年" not in basics and "与上年相比" not in basics.split("\n")[0]
    assert basics.endswith("未计入；两年数据审核通过的单位没有重合，未与上年比较增减。")
