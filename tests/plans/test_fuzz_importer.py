"""Fuzzing the text importer: any input parses to a valid plan or is refused with PlanImportError.

The short runs are part of the default suite; the long ones (10,000 examples each) are marked slow:
    .venv/bin/pytest tests/plans/test_fuzz_importer.py -m slow -q
Results of the long run are kept in docs/fuzzing.md.
"""

import datetime
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.importer.deadlines import Deadline, parse_deadline, parse_target
from plans.importer.errors import PlanImportError
from plans.importer.text import parse_text
from plans.importer.units import parse_annotation, split_units
from tests.plans.demo_plan import DEMO_PLAN

HERE = Path(__file__).parent
SEED = DEMO_PLAN
SOURCES = [p.read_text(encoding="utf-8") for p in sorted((HERE / "fixtures" / "text").glob("*.txt"))]
SOURCES.append(SEED.read_text(encoding="utf-8"))

TOKENS = [
    "一、", "二、", "十一、", "（一）", "(二)", "（十）", "1.", "2．", "１．", "3﹒", "4、", "（1）", "(2)", "①", "②",
    "。", "，", ",", "、", "；", ";", "：", ":", "（", "）", "(", ")", "《", "》", "〔2022〕", "\n", "\r\n", " ", "\u3000",
    "责任单位：", "牵头单位:", "配合单位：", "完成时限：", "负责", "牵头", "配合", "会同", "按职责分工负责",
    "区司法局", "各街道办事处", "市交通委（市道运局）", "各区、县级市", "县农业农村局",
    "2024年", "6月", "底前", "年底前", "15日", "前", "30日内", "至", "—", "到2025年底", "每年", "每季度", "每月",
    "长期坚持", "持续推进", "不少于", "2次", "60学时", "二〇二四年六月十四日", "9999年", "0000年", "99月", "0日",
    "列第一位者为牵头单位", "具体措施：", "实施方案", "(此件主动公开)", "经区人民政府同意", "印发给你们",
]
fragments = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
token_soup = st.lists(fragments, max_size=80).map("".join)


@st.composite
def mutated_plans(draw):
    """A real plan text with a few random edits: cuts, insertions, duplications, replacements."""
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 300)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "replace", "unbreak"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(fragments) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "replace":
            text = text[:i] + draw(st.text(max_size=6)) + text[j:]
        else:
            text = text[:i] + text[i:j].replace("\n", "") + text[j:]
    return text


plan_texts = st.one_of(st.text(max_size=300), token_soup, mutated_plans())
deadline_texts = st.one_of(st.text(max_size=60), token_soup)
issue_dates = st.one_of(st.none(), st.dates())
year_hints = st.one_of(st.none(), st.integers(-10**6, 10**6))

SHORT = settings(max_examples=200, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(SHORT, max_examples=10_000)


def _date_or_none(value) -> None:
    assert value is None or datetime.date.fromisoformat(value)


def assert_valid_plan(plan: dict) -> None:
    assert set(plan) == {"title", "issuer", "issued_on", "ends_on", "source", "sections", "tasks", "warnings"}
    assert isinstance(plan["title"], str) and isinstance(plan["issuer"], str)
    _date_or_none(plan["issued_on"])
    _date_or_none(plan["ends_on"])  # empty when the text states no period: the preview asks
    assert plan["tasks"], "a plan without tasks must be refused instead"
    for section in plan["sections"]:
        assert section["number"].endswith(("、", "）")) and isinstance(section["title"], str)
    for task in plan["tasks"]:
        assert task["number"] is None or isinstance(task["number"], int)
        assert isinstance(task["title"], str)
        assert task["units"][: len(task["lead_units"])] == task["lead_units"]
        assert task["measures"]
        for m in task["measures"]:
            assert isinstance(m["text"], str) and all(isinstance(u, str) and u for u in m["units"])
            _date_or_none(m["due"])
            assert m["recurrence"] in (None, "yearly", "half-yearly", "quarterly", "monthly")
            assert m["target"] is None or set(m["target"]) == {"value", "unit"}
            assert isinstance(m["ongoing"], bool)
    for warning in plan["warnings"]:
        assert set(warning) == {"line", "message"} and warning["message"]
    json.dumps(plan, ensure_ascii=False)


def check_plan_text(text: str) -> None:
    try:
        plan = parse_text(text)
    except PlanImportError as error:
        assert str(error)
        return
    assert_valid_plan(plan)


def check_deadline(text: str, year_hint, issued_on) -> None:
    deadline = parse_deadline(text, year_hint=year_hint, issued_on=issued_on)
    assert isinstance(deadline, Deadline)
    assert deadline.due is None or isinstance(deadline.due, datetime.date)
    assert not (deadline.ongoing and deadline.due)
    target = parse_target(text)
    assert target is None or isinstance(target["value"], int | float)


def check_units(text: str) -> None:
    assert all(isinstance(n, str) and n for n in split_units(text))
    annotation = parse_annotation(text)
    if annotation is not None:
        assert annotation.units[: len(annotation.leads)] == annotation.leads


@SHORT
@given(plan_texts)
def test_parse_text_returns_a_plan_or_a_clean_error(text):
    check_plan_text(text)


@SHORT
@given(deadline_texts, year_hints, issue_dates)
def test_parse_deadline_never_fails(text, year_hint, issued_on):
    check_deadline(text, year_hint, issued_on)


@SHORT
@given(deadline_texts)
def test_unit_parsing_never_fails(text):
    check_units(text)


@pytest.mark.slow
@LONG
@given(plan_texts)
def test_parse_text_long_run(text):
    check_plan_text(text)


@pytest.mark.slow
@LONG
@given(deadline_texts, year_hints, issue_dates)
def test_parse_deadline_long_run(text, year_hint, issued_on):
    check_deadline(text, year_hint, issued_on)


@pytest.mark.slow
@LONG
@given(deadline_texts)
def test_unit_parsing_long_run(text):
    check_units(text)
