"""A city-scale inspection report (more units than REPORT_UNIT_MATRIX_MAX): the matrix by directory group, then
each group's own unit grid; the workbook's 分组矩阵 and the full grid with each unit's group."""

import datetime
import io
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from plans.models import Plan, Unit, UnitGroup
from reports import parts
from reports.inspection import KIND_INSPECTION, UNGROUPED, build_report
from reports.render import report_html, report_pdf
from reports.xlsx import report_xlsx
from tasks.models import LIGHT_RANK, Assignment
from tests.reports.conftest import at, build_plan
from tests.xlsx import book, table, total_row
from tracker.pdf import html_to_pdf

D = datetime.date(2025, 7, 10)
GROUPS = {"测试甲区": range(0, 3), "测试乙区": range(3, 6), "测试全体单位": range(0, 7)}  # unit 7 in none


@pytest.fixture
def city(db, settings):
    """Eight units on three tasks, past the threshold of four: done, due soon (yellow) and overdue (red)
    mixed, three directory groups (one holding the two others' units) and a unit in no group."""
    settings.REPORT_UNIT_MATRIX_MAX = 4
    with at(2025, 3, 1, 9):
        plan = build_plan(units=8, tasks=3)
    units = list(Unit.objects.order_by("order", "name", "id"))
    for name, members in GROUPS.items():
        UnitGroup.objects.create(name=name).members.set([units[i] for i in members])
    with at(2025, 6, 20, 10):
        for a in Assignment.objects.select_related("measure__task"):
            mix = (units.index(a.unit) + a.measure.task.number) % 3
            if mix == 0:
                a.status, a.completed_on, a.percent = Assignment.Status.DONE, datetime.date(2025, 6, 20), 100
            elif mix == 1:
                a.due_on = datetime.date(2025, 7, 15)
            a.save()
    return plan


def report(plan: Plan):
    with at(2025, 7, 10, 9):
        return build_report(KIND_INSPECTION, plan, D, generated_on=D)


def test_units_go_to_their_smallest_group_and_the_ungrouped_last(city):
    groups = report(city).groups
    assert [(g.number, g.name, [u.unit.name for u in g.units]) for g in groups] == [
        ("（一）", "测试甲区", ["测试区第司法局", "测试区第1责任单位", "测试区第2责任单位"]),
        ("（二）", "测试乙区", ["测试区第3责任单位", "测试区第4责任单位", "测试区第5责任单位"]),
        ("（三）", "测试全体单位", ["测试区第6责任单位"]),
        ("（四）", UNGROUPED, ["测试区第7责任单位"]),
    ]


def test_a_unit_in_two_groups_of_one_size_lives_in_the_first_by_name(db):
    unit = Unit.objects.create(name="某单位")
    for name in ("乙组", "甲组"):
        UnitGroup.objects.create(name=name).members.add(unit)
    assert UnitGroup.homes() == {unit.pk: (UnitGroup.objects.get(name="乙组").pk, "乙组")}  # 乙 (U+4E59) < 甲 (U+7532)


def test_group_cells_are_recounted_from_the_database(city):
    r = report(city)
    for group in r.groups:
        members = [u.unit for u in group.units]
        for column, cell in zip(r.columns, group.cells, strict=True):
            rows = Assignment.objects.filter(unit__in=members, measure__task=column.task)
            worst = Counter(rows.values("unit").annotate(rank=Max(Assignment.light_rank_case(D)))
                            .values_list("rank", flat=True))
            assert (cell.tally.total, cell.tally.done, cell.red, cell.yellow) == (
                rows.count(), rows.filter(Assignment.done_q()).count(),
                worst[LIGHT_RANK[Assignment.Light.RED]], worst[LIGHT_RANK[Assignment.Light.YELLOW]])
        rows = Assignment.objects.filter(unit__in=members)
        assert (group.tally.total, group.tally.done) == (rows.count(), rows.filter(Assignment.done_q()).count())
    assert sum(len(g.units) for g in r.groups) == Unit.objects.count()


def test_the_pdf_has_the_matrix_by_group_then_each_groups_grid_with_every_unit_once(city):
    r = report(city)
    html = report_html(r)
    by_group = re.search(r'data-testid="group-matrix">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert re.findall(r'<td class="name">(.*?)</td>', by_group) == [g.name for g in r.groups]
    first = r.groups[0].cells[0]  # task 1 at 测试甲区: units 0, 1, 2 done, red, yellow
    assert (first.rate, first.flags, first.light) == ("33%", "红1 黄1", "red")
    assert '<td class="cell l-red">33%<br>红1 黄1</td>' in by_group
    grids = re.findall(r'<section class="part landscape" data-testid="group-grid">(.*?)</section>', html, re.S)
    names = [re.findall(r'<td class="name">(.*?)</td>', grid) for grid in grids]
    assert names == [[u.unit.name for u in g.units] for g in r.groups]
    assert sorted(n for grid in names for n in grid) == sorted(Unit.objects.values_list("name", flat=True))

    with at(2025, 7, 10, 9):
        pages = PdfReader(io.BytesIO(report_pdf(r))).pages
    texts = [page.extract_text() for page in pages]
    matrix = [i for i, t in enumerate(texts) if "任务单位矩阵" in t and "分组" in t]
    assert len(matrix) == 1
    for i, group in enumerate(r.groups, start=1):  # each group on a landscape page of its own, after the matrix
        page = pages[matrix[0] + i]
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (842, 595)
        assert f"{group.number}{group.name}（{len(group.units)}个单位" in texts[matrix[0] + i]


def test_a_district_scale_report_keeps_one_unit_grid_whatever_the_groups(city, settings):
    settings.REPORT_UNIT_MATRIX_MAX = 60
    r = report(city)
    html = report_html(r)
    assert not r.groups and "group-matrix" not in html and "group-grid" not in html
    UnitGroup.objects.all().delete()
    assert report_html(report(city)) == html


def test_the_workbook_has_the_matrix_by_group_and_every_unit_with_its_group(city):
    r = report(city)
    with at(2025, 7, 10, 9):
        wb = book(report_xlsx(r))
    header, *rows = table(wb["分组矩阵"])
    assert header == ["分组", "任务1", "任务2", "任务3", "单位数", "完成率（%）"]
    assert rows == [[g.name, *[f"{c.rate} {c.flags}".rstrip() for c in g.cells], len(g.units), g.tally.percent]
                    for g in r.groups]
    total = total_row(wb["分组矩阵"])
    assert total[0] == "合计（共4个分组）" and total[-1] == r.total.percent
    assert total[1] == "25% 红3 黄3"  # task 1 over the eight units: two done, three red, three yellow
    header, *rows = table(wb["任务单位矩阵"])
    assert header[:2] == ["责任单位", "分组"]
    assert [row[:2] for row in rows] == [[u.unit.name, g.name] for g in r.groups for u in g.units]
    assert len({row[0] for row in rows}) == Unit.objects.count() == len(rows)
    units = {u.unit.name: u for u in r.units}
    assert all(row[2:-1] == [text for _, text in units[row[0]].cells] for row in rows)


def test_the_city_form_takes_the_same_queries_for_more_units(db, settings):
    settings.REPORT_UNIT_MATRIX_MAX = 4
    with at(2025, 3, 1, 9):
        plans = [build_plan(units=n, tasks=2, unit_prefix=f"{n}单位") for n in (10, 40)]
    for n in (10, 40):  # half of each plan's units in a group, the others in none
        UnitGroup.objects.create(name=f"{n}单位之半").members.set(
            Unit.objects.filter(name__startswith=f"{n}单位").order_by("order")[:n // 2])
    counts = []
    with at(2025, 7, 10, 9):
        for plan in plans:
            with CaptureQueriesContext(connection) as ctx:
                r = build_report(KIND_INSPECTION, plan, D)
            assert r.groups
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_each_groups_grid_is_a_part_and_the_merged_report_reads_as_the_whole(db, settings):
    settings.REPORT_UNIT_MATRIX_MAX = 4
    with at(2025, 3, 1, 9):
        plan = build_plan(units=45)
    units = list(Unit.objects.order_by("order", "name", "id"))
    UnitGroup.objects.create(name="测试甲区").members.set(units[:40])  # two pages: sliced when a part is one page
    UnitGroup.objects.create(name="测试乙区").members.set(units[40:])
    r = report(plan)
    rows = parts.report_rows(r)
    assert parts.split(rows, pages=1) == [
        parts.Part(("cover", "summary", "matrix")),
        parts.Part(("groups",), (0, 36), 0), parts.Part(("groups",), (36, 40), 0), parts.Part(("groups",), (0, 5), 1),
        parts.Part(("overdue",)),
        parts.Part(("units",), (0, 36)), parts.Part(("units",), (36, 45)),
        parts.Part(("ranking",), (0, 33)), parts.Part(("ranking",), (33, 45)),
        parts.Part(("details", "problems", "annex")),
    ]
    with at(2025, 7, 10, 9):
        whole = [page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(r))).pages]
        merged = parts.merge([html_to_pdf(html) for html in parts.parts_html(r, pages=1)])
    assert [page.extract_text() for page in PdfReader(io.BytesIO(merged)).pages] == whole
    assert sum("（一）测试甲区（40个单位" in page for page in whole) == 1  # the heading once, the header row on both pages
    assert sum("责任单位 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 完成率" in page for page in whole) == 3
