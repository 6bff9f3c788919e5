"""The importer's vocabulary: each table of words in plans/importer/vocabulary.py drives every parser
that reads such words. The cases below are generated from the tables, so a word added to a table is
tested in every parser at once (adding a role word is a one-line change)."""

import datetime

import pytest

from plans.importer.deadlines import parse_deadline, parse_target
from plans.importer.tables import column_kind, parse_rows
from plans.importer.text import parse_text
from plans.importer.units import parse_annotation
from plans.importer.vocabulary import (
    JOINT_WORDS,
    KNOWN_UNIT_LABELS,
    LABEL_RE,
    LEAD,
    LEAD_CLAUSE_ENDINGS,
    MONTH_PART_DAYS,
    NOTE_LABELS,
    ONGOING_AFTER_LABEL,
    ONGOING_PHRASES,
    ONGOING_WORDS,
    RECURRENCE_WORDS,
    RELATIVE_UNITS,
    RESPONSIBLE,
    RESPONSIBLE_CLAUSE_ENDINGS,
    ROLE_MARK_UNIT_WORDS,
    ROLE_MARK_WORDS,
    ROLE_WORDS,
    SUPPORT,
    SUPPORT_CLAUSE_ENDINGS,
    TARGET_CUES,
    TARGET_UNITS,
    TIME_LABELS,
    UNIT_WORDS,
    label_role,
)

UNIT, OTHER = "区司法局", "区财政局"
# Every label the role table makes (each role word before each unit word) and those plans are known to write.
LABELS = sorted({role + unit for role in ROLE_WORDS for unit in UNIT_WORDS} | set(KNOWN_UNIT_LABELS))


def leads_for(role: str) -> list[str]:
    return [UNIT] if role == LEAD else []


@pytest.mark.parametrize("word", LABELS)
def test_every_label_word_reads_in_an_annotation_with_its_role(word):
    annotation = parse_annotation(f"（{word}：{UNIT}）")
    assert annotation is not None and annotation.labelled
    assert (annotation.units, annotation.leads) == ([UNIT], leads_for(label_role(word)))


@pytest.mark.parametrize("word", LABELS)
def test_every_label_word_heads_a_unit_column_with_the_same_role(word):
    assert column_kind(word) == label_role(word)
    task = parse_rows([["序号", "工作事项", word], ["1", "开展执法培训", UNIT]])["tasks"][0]
    assert (task["units"], task["lead_units"]) == ([UNIT], leads_for(label_role(word)))


@pytest.mark.parametrize("word", KNOWN_UNIT_LABELS)
def test_every_known_label_on_its_own_line_names_a_prose_tasks_units(word):
    plan = parse_text(f"某区执法工作方案\n一、主要任务\n1．开展执法培训。\n{word}：{UNIT}\n")
    task = plan["tasks"][0]
    assert (task["units"], task["lead_units"]) == ([UNIT], leads_for(label_role(word)))


def test_the_role_of_a_label_is_lead_over_support_over_responsible():
    assert [label_role(w) for w in ("牵头考核单位", "责任牵头单位", "协办责任单位", "考核部门", "主办单位")] == [
        LEAD, LEAD, SUPPORT, RESPONSIBLE, LEAD]


def test_labels_of_two_kinds_in_one_annotation_keep_the_label_out_of_the_names():
    annotation = parse_annotation(f"（牵头考核单位：{UNIT}；考核部门：{OTHER}）")
    assert (annotation.leads, annotation.units) == ([UNIT], [UNIT, OTHER])


@pytest.mark.parametrize("text", ["各有关单位：", "区直各单位：", "相关部门：", "牵头：", "责任："])
def test_a_unit_word_without_a_role_word_before_it_is_not_a_label(text):
    assert LABEL_RE.search(text) is None


@pytest.mark.parametrize("word", NOTE_LABELS)
def test_note_labels_are_kept_as_the_annotations_note(word):
    annotation = parse_annotation(f"（责任单位：{UNIT}；{word}：2024年底前）")
    assert annotation.units == [UNIT] and annotation.note == f"{word}：2024年底前"
    assert label_role(word) is None


@pytest.mark.parametrize("ending", LEAD_CLAUSE_ENDINGS)
def test_every_lead_clause_ending_makes_its_units_leads(ending):
    annotation = parse_annotation(f"（{UNIT}{ending}，{OTHER}配合）")
    assert (annotation.leads, annotation.units) == ([UNIT], [UNIT, OTHER])


@pytest.mark.parametrize("ending", SUPPORT_CLAUSE_ENDINGS)
def test_every_support_clause_ending_adds_supporting_units(ending):
    annotation = parse_annotation(f"（{UNIT}牵头，{OTHER}{ending}）")
    assert (annotation.leads, annotation.units) == ([UNIT], [UNIT, OTHER])


@pytest.mark.parametrize("ending", RESPONSIBLE_CLAUSE_ENDINGS)
def test_every_responsible_clause_ending_names_units_without_a_lead(ending):
    annotation = parse_annotation(f"（{UNIT}、{OTHER}{ending}）")
    assert (annotation.leads, annotation.units) == ([], [UNIT, OTHER])


@pytest.mark.parametrize("word", JOINT_WORDS)
def test_every_joining_word_makes_the_units_before_it_lead(word):
    annotation = parse_annotation(f"（{UNIT}{word}{OTHER}负责）")
    assert (annotation.leads, annotation.units) == ([UNIT], [UNIT, OTHER])


@pytest.mark.parametrize("word, unit_word", [(w, u) for w in ROLE_MARK_WORDS for u in ("", *ROLE_MARK_UNIT_WORDS)])
def test_a_role_written_after_a_name_is_read_in_labels_and_table_cells_alike(word, unit_word):
    cell = f"{UNIT}（{word}{unit_word}）、{OTHER}"
    leads = leads_for(ROLE_WORDS[word])
    annotation = parse_annotation(f"（责任单位：{cell}）")
    assert (annotation.leads, annotation.units) == (leads, [UNIT, OTHER])
    task = parse_rows([["序号", "工作事项", "责任单位"], ["1", "开展执法培训", cell]])["tasks"][0]
    assert (task["lead_units"], task["units"]) == (leads, [UNIT, OTHER])


@pytest.mark.parametrize("recurrence, word", [(r, w) for r, words in RECURRENCE_WORDS.items() for w in words])
def test_every_recurrence_word_gives_its_recurrence(recurrence, word):
    assert parse_deadline(f"{word}报送工作情况").recurrence == recurrence


@pytest.mark.parametrize("text", [*ONGOING_PHRASES, *ONGOING_WORDS,
                                  *(f"{label}：{word}" for label in TIME_LABELS for word in ONGOING_AFTER_LABEL)])
def test_every_ongoing_word_makes_a_measure_without_end(text):
    deadline = parse_deadline(text)
    assert deadline.ongoing and deadline.due is None


@pytest.mark.parametrize("part, day", MONTH_PART_DAYS.items())
def test_every_part_of_a_month_falls_due_on_its_day(part, day):
    assert parse_deadline(f"2024年6月{part}前完成").due == datetime.date(2024, 6, day or 30)


@pytest.mark.parametrize("unit, counts", [(u, c) for u, c in RELATIVE_UNITS.items() if c != "workdays"])
def test_every_unit_of_days_counts_from_the_plans_issue(unit, counts):
    due = {"days": datetime.date(2024, 3, 4), "weeks": datetime.date(2024, 3, 22), "months": datetime.date(2024, 6, 1)}
    assert parse_deadline(f"三{unit}内完成", issued_on=datetime.date(2024, 3, 1)).due == due[counts]


@pytest.mark.parametrize("cue", TARGET_CUES)
def test_every_target_cue_reads_a_number(cue):
    assert parse_target(f"{cue}5次") == {"value": 5, "unit": "次"}


@pytest.mark.parametrize("unit", TARGET_UNITS)
def test_every_target_unit_is_read_whole(unit):
    assert parse_target(f"全年不少于3{unit}") == {"value": 3, "unit": "%" if unit == "％" else unit}
