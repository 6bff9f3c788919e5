"""Deadline, recurrence and target phrases (plans/importer/deadlines.py)."""

import datetime

import pytest

from plans.importer.deadlines import parse_deadline, parse_target

ISSUED = datetime.date(2024, 6, 14)


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [
        ("2024年6月底前完成全员轮训", "2024-06-30", "2024年6月底前"),
        ("2024年底前编制目录", "2024-12-31", "2024年底前"),
        ("2020年底前完成", "2020-12-31", "2020年底前"),
        ("2021年6月底前建立清单", "2021-06-30", "2021年6月底前"),
        ("9月15日前完成排查", "2024-09-15", "9月15日前"),
        ("到2025年底，问题得到有效整治", "2025-12-31", "2025年底"),
        ("到2025年建成平台", "2025-12-31", "到2025年"),
        ("2019年1月1日至12月31日开展排查", "2019-12-31", "2019年1月1日至12月31日"),
        ("30日内公布清单", "2024-07-14", "30日内"),
        ("二〇二四年十二月三十一日前完成", "2024-12-31", "2024年12月31日前"),
        ("２０２４年９月底前完成", "2024-09-30", "2024年9月底前"),
        ("2024年上半年完成", "2024-06-30", "2024年上半年"),
        ("第三季度末前完成", "2024-09-30", "第三季度末"),
        ("年底前完成", "2024-12-31", "年底前"),
        ("6月中旬前完成", "2024-06-20", "6月中旬前"),
        ("2024年6月30日", "2024-06-30", "2024年6月30日"),
        ("2024年12月", "2024-12-31", "2024年12月"),
        ("2024年6月底前完成自查，2024年底前完成整改", "2024-12-31", "2024年底前"),
    ],
)
def test_deadline_phrases(text, due, phrase):
    deadline = parse_deadline(text, issued_on=ISSUED)
    assert deadline.due == datetime.date.fromisoformat(due)
    assert deadline.phrase == phrase
    assert deadline.ongoing is False


def test_year_hint_decides_a_date_without_a_year():
    assert parse_deadline("9月15日前完成", year_hint=2021).due == datetime.date(2021, 9, 15)


def test_yearly_phrase_gets_its_first_occurrence_after_the_issue_date():
    deadline = parse_deadline("每年2月底前报送上一年度情况", issued_on=ISSUED)
    assert deadline.recurrence == "yearly"
    assert deadline.due == datetime.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [("每年开展不少于2次业务培训", "yearly"), ("每半年通报一次", "half-yearly"), ("每季度开展督查", "quarterly"),
     ("每月调度进展", "monthly"), ("开展专项整治", None)],
)
def test_recurrence(text, recurrence):
    deadline = parse_deadline(text, issued_on=ISSUED)
    assert deadline.recurrence == recurrence
    assert deadline.due is None


@pytest.mark.parametrize("text", ["长期坚持决策后评估", "持续推进信用评价", "长期"])
def test_ongoing_work_has_no_date(text):
    deadline = parse_deadline(text, issued_on=ISSUED)
    assert deadline.ongoing is True
    assert deadline.due is None


@pytest.mark.parametrize(
    "text",
    ["落实《提升行政执法质量三年行动计划（2023—2025年）》", "根据国办发〔2022〕27号文件", "近五年未发生的事项",
     "审批时间压缩至15个工作日以内", "持续提升能力素养"],
)
def test_years_that_are_not_deadlines(text):
    deadline = parse_deadline(text, issued_on=ISSUED)
    assert deadline.due is None and deadline.phrase is None and deadline.ongoing is False


@pytest.mark.parametrize("text", ["2024年13月底前完成", "2023年2月30日前完成"])
def test_impossible_dates_are_unreadable(text):
    deadline = parse_deadline(text, issued_on=ISSUED)
    assert deadline.due is None
    assert deadline.unreadable


def test_relative_deadline_without_an_issue_date_is_unreadable():
    deadline = parse_deadline("30日内公布")
    assert deadline.phrase == "30日内" and deadline.unreadable


def test_month_without_any_year_is_unreadable():
    assert parse_deadline("9月底前完成").unreadable


@pytest.mark.parametrize(
    ("text", "target"),
    [("每年开展不少于2次业务培训", {"value": 2, "unit": "次"}),
     ("每人每年接受不少于60学时的培训", {"value": 60, "unit": "学时"}),
     ("全年不少于两场", {"value": 2, "unit": "场"}),
     ("出让比例不低于50%", {"value": 50, "unit": "%"}),
     ("至少检查1次", {"value": 1, "unit": "次"}),
     ("加强组织领导", None)],
)
def test_targets(text, target):
    assert parse_target(text) == target


@pytest.mark.parametrize(
    ("text", "due"),
    [("2024.12.31", "2024-12-31"), ("2024-12", "2024-12-31"), ("2024/6/30前", "2024-06-30")],
)
def test_numeric_dates_as_written_in_table_cells(text, due):
    assert parse_deadline(text).due == datetime.date.fromisoformat(due)


def test_dates_far_outside_a_plans_life_are_ignored_as_context():
    assert parse_deadline("30日内", issued_on=datetime.date(9999, 12, 31)).due is None
    assert parse_deadline("9月15日前", year_hint=99999).due is None


def test_long_term_written_as_a_time_limit_is_ongoing():
    assert parse_deadline("建立长效机制（完成时限：长期）", issued_on=ISSUED).ongoing is True
