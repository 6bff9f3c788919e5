"""The report's long table bodies, joined in Python (reports.render): escaped, complete and in order."""

import datetime
import re

from plans.models import Unit
from reports.inspection import KIND_INSPECTION, KIND_UNIT, build_report
from reports.render import report_html
from tasks.models import Assignment
from tests.conftest import make_user
from tests.reports.conftest import accept, at, build_plan, submit

D = datetime.date(2025, 7, 10)


def tbody(html: str, heading: str) -> str:
    """The first table body after a section heading."""
    return re.search(r"<tbody>(.*?)</tbody>", html[html.index(heading):], re.S).group(1)


def test_names_are_escaped_and_every_unit_has_a_matrix_row(db):
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=3, tasks=2)
        Unit.objects.filter(name="测试区第2责任单位").update(name="A&B<测试>单位")
    rows = list(Assignment.objects.order_by("id"))
    with at(2025, 5, 20, 10):
        accept(submit(rows[0], lead, files={'<b>"通知"</b>.pdf': b"%PDF-1.4"}), lead, datetime.date(2025, 5, 20))

    with at(2025, 7, 15, 9):
        html = report_html(build_report(KIND_INSPECTION, plan, D, generated_on=D))

    matrix = tbody(html, "任务单位矩阵")
    assert matrix.count("<tr>") == 3
    assert matrix.count('<td class="cell l-') == 3 * 2
    assert "A&amp;B&lt;测试&gt;单位" in matrix and "A&B<" not in html
    assert '<td class="cell l-green">绿 1/1</td>' in matrix
    overdue = tbody(html, "逾期清单")
    assert overdue.count("<tr>") == 2  # the two measures, each overdue at the units that did not finish
    assert "测试区第司法局、测试区第1责任单位、A&amp;B&lt;测试&gt;单位" in overdue
    assert "&lt;b&gt;&quot;通知&quot;&lt;/b&gt;.pdf" in tbody(html, "佐证材料索引")
    units = tbody(html, "各单位完成情况")
    assert re.findall(r"<tr><td>(.*?)</td>", units) == [
        "测试区第司法局", "测试区第1责任单位", "A&amp;B&lt;测试&gt;单位"]


def test_a_units_details_are_listed_by_task(db):
    with at(2025, 3, 1, 9):
        plan = build_plan(units=2, tasks=3)
    unit = Unit.objects.get(name="测试区第1责任单位")
    with at(2025, 7, 15, 9):
        html = report_html(build_report(KIND_UNIT, plan, D, unit=unit, generated_on=D))
    details = tbody(html, "任务分解明细")
    assert re.findall(r'<tr><td class="c">(\d+)</td>', details) == ["1", "2", "3"]
    assert details.count('<td class="num">10</td>') == 3  # due 2025年6月30日, ten days late on 7月10日


def test_a_flagged_measure_is_marked_in_the_overdue_list_from_the_day_it_was_flagged(db):
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=2, tasks=2)
    measure = Assignment.objects.order_by("id").first().measure
    with at(2025, 7, 12, 9):
        measure.flag("逾期时间长、群众关注", datetime.date(2025, 7, 12), lead)

    with at(2025, 7, 15, 9):
        flagged = tbody(report_html(build_report(KIND_INSPECTION, plan, datetime.date(2025, 7, 14),
                                                 generated_on=D)), "逾期清单")
        before = tbody(report_html(build_report(KIND_INSPECTION, plan, D, generated_on=D)), "逾期清单")

    assert flagged.count("【挂牌】") == 1 and f"【挂牌】{measure.text}" in flagged
    assert "【挂牌】" not in before  # as of 07-10 the measure was not flagged yet


def test_the_report_is_made_by_the_name_the_plans_documents_are_signed_with(db):
    from notifications.models import LadderConfig

    with at(2025, 3, 1, 9):
        plan = build_plan(units=1, tasks=1)
    config = LadderConfig.for_plan(plan)
    config.masthead = "天津市测试区司法局"
    config.save()
    with at(2025, 7, 15, 9):
        report = build_report(KIND_INSPECTION, plan, D, generated_on=D)
    assert report.issuer == "天津市测试区司法局"
    assert "<div>天津市测试区司法局</div>" in report_html(report)
